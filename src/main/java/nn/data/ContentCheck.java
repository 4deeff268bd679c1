package nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks that a downloaded file holds exactly the pinned content. Mirrors recompress the
 * files, so the decompressed bytes are what is hashed and counted, not the .gz itself.
 */
public final class ContentCheck {
    private ContentCheck() {}

    /**
     * Returns null when the file matches, otherwise what is wrong with it. Reading stops as soon as
     * the header is wrong or the content passes the expected size, so a gzip bomb costs no time.
     */
    public static String problem(Path file, DatasetKind.DataFile expected) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
        long size;
        try (InputStream in = Idx.open(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4 || head[0] != 0 || head[1] != 0 || head[2] != Idx.UNSIGNED_BYTE) {
                return "not an IDX file of unsigned bytes (wrong header)";
            }
            sha256.update(head);
            size = head.length;
            byte[] buf = new byte[1 << 16];
            for (int n; size <= expected.size() && (n = in.read(buf)) > 0; ) {
                sha256.update(buf, 0, n);
                size += n;
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            return Idx.notGzip(file, e).getMessage();
        }
        if (size > expected.size()) {
            return "decompressed content is more than the expected " + expected.size() + " bytes";
        }
        if (size != expected.size()) {
            return "decompressed size is " + size + " bytes, expected " + expected.size();
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(expected.sha256())) {
            return "SHA-256 of the content is " + actual + ", expected " + expected.sha256();
        }
        return null;
    }

    public static boolean isValid(Path file, DatasetKind.DataFile expected) throws IOException {
        return Files.isRegularFile(file) && problem(file, expected) == null;
    }
}
