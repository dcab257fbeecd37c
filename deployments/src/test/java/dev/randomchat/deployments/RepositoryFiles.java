package dev.randomchat.deployments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Finds the repository's files from wherever Maven runs the tests (the module directory, or
 * the repository root) and reads them as text or YAML.
 */
final class RepositoryFiles {

    private static final Path ROOT = findRoot();

    private RepositoryFiles() {
    }

    static Path root() {
        return ROOT;
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        return read(path(relative));
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Every document of a YAML file, with YAML 1.1 typing as Kubernetes and Compose read it. */
    static List<Object> yamlDocuments(Path file) {
        List<Object> documents = new ArrayList<>();
        for (Object document : newYaml().loadAll(read(file))) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> yamlMap(String relative) {
        return (Map<Object, Object>) newYaml().load(read(relative));
    }

    private static Yaml newYaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve("deployments/pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("No repository root (with deployments/pom.xml) above " + dir);
    }
}
