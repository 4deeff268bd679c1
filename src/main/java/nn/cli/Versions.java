package nn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;

/** Versions of nn and the libraries it was built with, as Maven filtered them into the jar. */
public final class Versions implements CommandLine.IVersionProvider {
    private static final Properties PROPERTIES = load();

    public static String nn() {
        return PROPERTIES.getProperty("version", "unknown");
    }

    public static String nd4j() {
        return PROPERTIES.getProperty("nd4j", "unknown");
    }

    public static String nd4jArtifact() {
        return PROPERTIES.getProperty("nd4jBackend", "?") + ":" + PROPERTIES.getProperty("nd4jClassifier", "?");
    }

    /** For reports: nn, ND4J (with its natives), the cpu engine's product library, Java and threads. */
    public static java.util.Map<String, String> asMap() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("nn", nn());
        m.put("nd4j", nd4j() + " " + nd4jArtifact());
        m.put("float_products", nn.compute.cpu.Blas.sgemmLibrary());
        m.put("java", System.getProperty("java.version"));
        m.put("threads", String.valueOf(nn.compute.cpu.Team.size()));
        return m;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "nn " + nn(),
            "ND4J " + nd4j() + " (" + nd4jArtifact() + "), picocli " + CommandLine.VERSION,
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/nn/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // no version file: report "unknown"
        }
        return p;
    }
}
