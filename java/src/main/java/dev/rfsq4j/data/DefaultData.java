package dev.rfsq4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The embedded default data set: 128x128 crops of public-domain and CC0 photos from Debian's packages (see
 * data/default/SOURCES.md), split into {@code train/} (37) and {@code heldout/} (10, from other photos), inside the
 * jar so that {@code rfsq4j demo} needs nothing else.
 */
public final class DefaultData {
    private static final String ROOT = "/dev/rfsq4j/data/default/";

    private DefaultData() {}

    /** Copies the set into dir ({@code dir/train}, {@code dir/heldout}, {@code dir/SOURCES.md}); returns dir. */
    public static Path extract(Path dir) throws IOException {
        for (String name : index()) {
            Path target = dir.resolve(name);
            Files.createDirectories(target.getParent());
            try (InputStream in = open(name)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    private static List<String> index() throws IOException {
        try (InputStream in = open("index.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = DefaultData.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IOException("the default data set is missing from this build (" + ROOT + name
                    + "); rebuild rfsq4j from a full checkout (data/default)");
        }
        return in;
    }
}
