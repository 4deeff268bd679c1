package nn.data;

/** Hears how a download goes, so the command line can draw a bar or print plain lines. */
public interface TransferListener {
    /** A message for the user: which file, which mirror, why a retry. */
    void say(String message);

    /** A transfer starts; {@code totalBytes} is -1 when the server does not say. */
    default void started(String name, long alreadyHave, long totalBytes) {}

    default void advanced(long bytesSoFar) {}

    default void finished() {}

    TransferListener SILENT = message -> {};
}
