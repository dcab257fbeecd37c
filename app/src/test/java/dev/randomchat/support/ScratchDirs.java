package dev.randomchat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary folders the test servers make for themselves, and their removal when a server stops. */
public final class ScratchDirs {

    static final String UPLOADS = "rc-uploads-";

    private ScratchDirs() {
    }

    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Deletes {@code dir} and everything in it when it is a folder this class made with {@code prefix}. */
    static void deleteIfOurs(Path dir, String prefix) {
        if (dir == null || !dir.getFileName().toString().startsWith(prefix)
                || !dir.toAbsolutePath().getParent().equals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath())) {
            return;
        }
        deleteTree(dir);
    }

    /** Deletes {@code dir} and everything in it, as far as it can. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException | UncheckedIOException ex) {
            // Left for the OS to clean: a test must not fail over a scratch folder.
        }
    }
}
