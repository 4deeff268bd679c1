package nn.cli;

/** Whether output goes to a person at a terminal (bars, colours) or to a log (plain lines). */
public final class Terminal {
    private Terminal() {}

    public static boolean isInteractive() {
        String term = System.getenv("TERM");
        return System.console() != null && System.getenv("CI") == null && !"dumb".equals(term);
    }
}
