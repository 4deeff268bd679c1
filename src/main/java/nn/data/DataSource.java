package nn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import nn.io.AtomicFile;

/**
 * A data set on demand: loaded from the data directory, downloaded (and verified) first if
 * its files are not there, so {@code nn train} on a fresh machine just works. Temporary files a
 * killed writer left in its folder are removed either way.
 */
public record DataSource(DatasetKind kind, Path dataDir, List<String> mirrors, TransferListener listener) {

    public LabeledImages load(DatasetFiles.Part part) throws IOException {
        if (!DatasetFiles.present(kind, dataDir)) {
            listener.say(kind.id + " is not in " + dataDir + "; downloading it");
            Downloader.standard(mirrors, listener).fetch(kind, dataDir, false);
        } else {
            AtomicFile.removeLeftovers(DatasetFiles.folder(kind, dataDir));
        }
        return DatasetFiles.load(kind, dataDir, part);
    }
}
