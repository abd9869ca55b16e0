package dev.rfsq4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test data beside the checkout (../shared/data, see its README); tests skip when it is absent. */
final class SharedData {
    private SharedData() {}

    /** ../shared/data/name from the project root. */
    static Path path(String name) throws IOException {
        return repoRoot().resolve("../shared/data").resolve(name).normalize();
    }

    /** The project root: the nearest folder above the working directory whose pom.xml lists modules. */
    static Path repoRoot() throws IOException {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                return p;
            }
        }
        throw new IOException("no pom.xml with <modules> above " + Path.of("").toAbsolutePath());
    }
}
