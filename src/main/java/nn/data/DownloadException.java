package nn.data;

import java.io.IOException;

/** A data set could not be fetched from any mirror; the message says what each mirror answered. */
public class DownloadException extends IOException {
    public DownloadException(String message) {
        super(message);
    }
}
