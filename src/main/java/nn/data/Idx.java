package nn.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import nn.io.AtomicFile;

/**
 * Reads and writes IDX files, the format of MNIST (http://yann.lecun.com/exdb/mnist/):
 * <pre>
 *   bytes 0-1  zero
 *   byte  2    element type (0x08 = unsigned byte)
 *   byte  3    number of dimensions
 *   then one big-endian int32 per dimension, then the values in row-major order
 * </pre>
 * Files may be gzip-compressed; that is detected from the content, not the name.
 * Every deviation is an {@link IdxFormatException} naming the file and what was expected. The
 * header is checked, and its sizes against the file's length, before memory is set aside for
 * the values, and reading stops at the last declared value: a lying header or a gzip bomb is
 * refused without costing memory or time.
 */
public final class Idx {
    public static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMENSIONS = 8;
    /** The most elements a Java array can have on common JVMs. */
    static final int MAX_VALUES = Integer.MAX_VALUE - 16;
    /** One byte of deflate data inflates to at most 1032 bytes (zlib's documented limit). */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /** The first chunk of values read; the array doubles from there up to the declared count. */
    private static final int FIRST_READ = 1 << 20;

    private Idx() {}

    public static IdxArray read(Path file) throws IOException {
        boolean gzip = isGzip(file);
        try (InputStream in = open(file, gzip)) {
            int[] shape = readHeader(file, in);
            int values = valueCount(file, shape);
            checkRoom(file, shape.length, values, gzip);
            byte[] data = readValues(file, in, values);
            if (in.read() != -1) {
                throw new IdxFormatException(file, "more content than the " + values + " declared values");
            }
            return new IdxArray(shape, data);
        } catch (ZipException | EOFException e) {
            throw notGzip(file, e);
        }
    }

    /** Opens the file, transparently decompressing gzip content. */
    public static InputStream open(Path file) throws IOException {
        return open(file, isGzip(file));
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The error for content that is not valid gzip (cut short, corrupt), naming the file. */
    static IdxFormatException notGzip(Path file, IOException e) {
        return new IdxFormatException(file, "not a valid gzip file (" + e.getMessage() + ")");
    }

    /** Reads the magic number and the dimensions; every value read afterwards is one the header promised. */
    private static int[] readHeader(Path file, InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = new byte[4];
        try {
            in.readFully(magic);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "too short for an IDX header (4 bytes expected)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(file, String.format(
                    "bad magic number 0x%02x%02x%02x%02x: an IDX file starts with two zero bytes",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new IdxFormatException(file, String.format(
                    "element type 0x%02x (%s) is not supported: expected 0x08 (unsigned byte)", type, typeName(type)));
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMENSIONS) {
            throw new IdxFormatException(file, "bad number of dimensions " + rank + ": expected 1 to " + MAX_DIMENSIONS);
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            try {
                shape[i] = in.readInt();
            } catch (EOFException e) {
                throw new IdxFormatException(file, "truncated header: " + rank + " dimensions declared, only " + i + " present");
            }
            if (shape[i] <= 0) {
                throw new IdxFormatException(file, "dimension " + i + " is " + shape[i] + ": expected a positive size");
            }
        }
        return shape;
    }

    /** The number of values the dimensions declare, computed in long and refused beyond one Java array. */
    private static int valueCount(Path file, int[] shape) throws IdxFormatException {
        long values = 1;
        for (int d : shape) {
            values *= d;   // at most MAX_VALUES * Integer.MAX_VALUE: no overflow
            if (values > MAX_VALUES) {
                throw new IdxFormatException(file, "dimensions " + Arrays.toString(shape) + " declare more than "
                        + MAX_VALUES + " values, the most one array holds");
            }
        }
        return (int) values;
    }

    /**
     * Refuses a header that declares other than what the file's length allows, before any memory
     * is set aside for the values: a raw file must hold exactly them, and gzip cannot expand its
     * bytes more than {@link #MAX_DEFLATE_RATIO} times.
     */
    private static void checkRoom(Path file, int rank, int values, boolean gzip) throws IOException {
        long length = Files.size(file);
        if (gzip) {
            if (values > length * MAX_DEFLATE_RATIO) {
                throw new IdxFormatException(file, "header declares " + values + " values, more than a gzip file of "
                        + length + " bytes can hold");
            }
            return;
        }
        long held = length - 4 - 4L * rank;
        if (held < values) {
            throw new IdxFormatException(file, "truncated: header declares " + values + " values, file holds " + held);
        }
        if (held > values) {
            throw new IdxFormatException(file, (held - values) + " unexpected bytes after the " + values + " declared values");
        }
    }

    /** Reads the declared values, growing the array only as they arrive, so a header that overstates them costs no memory. */
    private static byte[] readValues(Path file, InputStream in, int values) throws IOException {
        byte[] data = new byte[Math.min(values, FIRST_READ)];
        int got = in.readNBytes(data, 0, data.length);
        while (got == data.length && got < values) {
            data = Arrays.copyOf(data, (int) Math.min(values, 2L * data.length));
            got += in.readNBytes(data, got, data.length - got);
        }
        if (got < values) {
            throw new IdxFormatException(file, "truncated: header declares " + values + " values, file holds " + got);
        }
        return data;
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
