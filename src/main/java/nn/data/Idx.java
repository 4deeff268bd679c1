package nn.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import nn.io.AtomicFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes IDX files, the format of MNIST (http://yann.lecun.com/exdb/mnist/):
 * <pre>
 *   bytes 0-1  zero
 *   byte  2    element type (0x08 = unsigned byte)
 *   byte  3    number of dimensions
 *   then one big-endian int32 per dimension, then the values in row-major order
 * </pre>
 * Files may be gzip-compressed; that is detected from the content, not the name.
 * Every deviation is an {@link IdxFormatException} naming the file and what was expected.
 */
public final class Idx {
    public static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMENSIONS = 8;

    private Idx() {}

    public static IdxArray read(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return read(file, in);
        }
    }

    /** Opens the file, transparently decompressing gzip content. */
    public static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    }

    static IdxArray read(Path file, InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] header = new byte[4];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "too short for an IDX header (4 bytes expected)");
        }
        if (header[0] != 0 || header[1] != 0) {
            throw new IdxFormatException(file, String.format(
                    "bad magic number 0x%02x%02x%02x%02x: an IDX file starts with two zero bytes",
                    header[0], header[1], header[2], header[3]));
        }
        int type = header[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new IdxFormatException(file, String.format(
                    "element type 0x%02x (%s) is not supported: expected 0x08 (unsigned byte)", type, typeName(type)));
        }
        int rank = header[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMENSIONS) {
            throw new IdxFormatException(file, "bad number of dimensions " + rank + ": expected 1 to " + MAX_DIMENSIONS);
        }
        int[] shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            try {
                shape[i] = in.readInt();
            } catch (EOFException e) {
                throw new IdxFormatException(file, "truncated header: " + rank + " dimensions declared, only " + i + " present");
            }
            if (shape[i] <= 0) {
                throw new IdxFormatException(file, "dimension " + i + " is " + shape[i] + ": expected a positive size");
            }
            size *= shape[i];
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IdxFormatException(file, "declares " + size + " values, more than this reader holds in memory");
        }
        byte[] data = new byte[(int) size];
        int got = in.readNBytes(data, 0, data.length);
        if (got < data.length) {
            throw new IdxFormatException(file, "truncated: header declares " + size + " values, file holds " + got);
        }
        if (in.read() != -1) {
            long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw new IdxFormatException(file, extra + " unexpected bytes after the " + size + " declared values");
        }
        return new IdxArray(shape, data);
    }

    public static void write(Path file, IdxArray array, boolean gzip) throws IOException {
        AtomicFile.write(file, out -> write(array, gzip ? new GZIPOutputStream(out, 1 << 16) : out));
    }

    /** The IDX encoding of an array, uncompressed. */
    public static byte[] encode(IdxArray array) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(array.data().length + 4 + 4 * array.shape().length);
        try {
            write(array, bytes);
        } catch (IOException e) {
            throw new AssertionError(e); // in-memory streams do not fail
        }
        return bytes.toByteArray();
    }

    private static void write(IdxArray array, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.write(new byte[] {0, 0, UNSIGNED_BYTE, (byte) array.shape().length});
        for (int d : array.shape()) out.writeInt(d);
        out.write(array.data());
        out.flush();
        if (stream instanceof GZIPOutputStream gz) gz.finish();
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "unknown";
        };
    }
}
