package nn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

/**
 * Small .gz files that inflate to gigabytes, made in milliseconds: one gzip member holding the
 * given head, then the same member of 8 MiB of zeros repeated (gzip readers join members).
 */
final class GzipBomb {
    private static final int ZEROS_PER_MEMBER = 8 << 20;

    private GzipBomb() {}

    /** A gzip stream whose content is {@code head} followed by at least {@code zeros} zero bytes. */
    static byte[] of(byte[] head, long zeros) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(gzip(head));
        byte[] member = gzip(new byte[ZEROS_PER_MEMBER]);
        for (long done = 0; done < zeros; done += ZEROS_PER_MEMBER) out.writeBytes(member);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e); // in-memory streams do not fail
        }
    }
}
