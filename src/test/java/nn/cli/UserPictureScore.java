package nn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import nn.data.LabeledImages;
import nn.data.RealData;
import nn.image.UserPictures;
import nn.random.Rng;

/**
 * How well models read the project's user-style pictures: the first {@value #SCORED} test digits
 * of the shipped slice rendered as each kind of user file (paper, canvas, blue JPEG, ruled, plain,
 * phone photo; seeded, the first {@value #PER_KIND} of each the pictures PredictTest uses), read
 * by {@code nn predict}. A picture read as several digits counts as wrong. Run by
 * {@code scripts/user-pictures CHECKPOINT...}.
 */
final class UserPictureScore {
    /** Pictures of each kind in PredictTest; the score reads more, which tells good models apart. */
    static final int PER_KIND = 120, SCORED = 500;

    public static void main(String[] checkpoints) throws IOException {
        if (checkpoints.length == 0) {
            System.err.println("usage: scripts/user-pictures CHECKPOINT...");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("nn-user-pictures");
        Map<String, Integer> truth = render(dir, SCORED);
        for (String checkpoint : checkpoints) {
            List<String> args = new ArrayList<>(List.of("predict", "--checkpoint", checkpoint, "--json"));
            for (UserPictures.Kind kind : UserPictures.Kind.values()) args.add(dir.resolve(kind.name().toLowerCase()).toString());
            Nn.Result r = Nn.run(args.toArray(String[]::new));
            if (r.code() != 0) {
                System.err.print(r.err());
                System.exit(1);
            }
            Map<UserPictures.Kind, int[]> counts = new EnumMap<>(UserPictures.Kind.class);
            int right = 0, all = 0;
            for (String line : r.out().split("\n")) {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                String file = o.get("file").getAsString();
                int[] c = counts.computeIfAbsent(UserPictures.Kind.valueOf(Path.of(file).getParent().getFileName().toString().toUpperCase()),
                        k -> new int[2]);
                boolean correct = !o.has("number") && o.get("prediction").getAsInt() == truth.get(file);
                c[0] += correct ? 1 : 0;
                c[1]++;
                right += correct ? 1 : 0;
                all++;
            }
            StringBuilder line = new StringBuilder(String.format("%s: %.1f%% of %d user-style pictures (", checkpoint, 100.0 * right / all, all));
            counts.forEach((k, c) -> line.append(String.format("%s %d/%d, ", k.name().toLowerCase(), c[0], c[1])));
            System.out.println(line.substring(0, line.length() - 2) + ")");
        }
        org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile());
    }

    /** Writes {@code perKind} pictures of every kind under dir/KIND/; returns each file's digit. */
    static Map<String, Integer> render(Path dir, int perKind) throws IOException {
        LabeledImages digits = RealData.test();
        Map<String, Integer> truth = new HashMap<>();
        for (UserPictures.Kind kind : UserPictures.Kind.values()) {
            Path folder = Files.createDirectories(dir.resolve(kind.name().toLowerCase()));
            Rng rng = new Rng(1000 + kind.ordinal());
            for (int i = 0; i < perKind; i++) {
                Path file = folder.resolve(String.format("%03d.%s", i, kind.extension));
                UserPictures.write(UserPictures.render(digits, i, kind, rng), kind, file);
                truth.put(file.toString(), digits.labels()[i]);
            }
        }
        return truth;
    }
}
