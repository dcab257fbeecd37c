package dev.randomchat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Schemas of the websocket frames in {@code docs/schemas/} (one per frame type and
 * direction), so the test clients check every frame they send and receive against the published
 * contract: a frame the documents do not describe fails the test.
 */
public final class FrameSchemas {

    /** Who sends the frame. */
    public enum Direction {
        CLIENT("client"), SERVER("server");

        private final String folder;

        Direction(String folder) {
            this.folder = folder;
        }

        public String folder() {
            return folder;
        }
    }

    private static final Path DIR = findSchemas();
    private static final SchemaRegistry REGISTRY = registry();
    private static final Map<String, Schema> CLIENT = load(Direction.CLIENT);
    private static final Map<String, Schema> SERVER = load(Direction.SERVER);

    private FrameSchemas() {
    }

    /** The folder holding {@code common.json}, {@code client/} and {@code server/}. */
    public static Path dir() {
        return DIR;
    }

    /** The frame types this direction has a schema for. */
    public static List<String> types(Direction direction) {
        return List.copyOf(schemas(direction).keySet());
    }

    /** What is wrong with this frame text by the schemas; empty when it conforms. */
    public static List<String> violations(Direction direction, String text) {
        JsonNode frame;
        try {
            frame = Guests.JSON.readTree(text);
        }
        catch (JacksonException ex) {
            return List.of("not JSON: " + ex.getOriginalMessage());
        }
        JsonNode type = frame == null ? null : frame.get("type");
        if (type == null || !type.isString()) {
            return List.of("no string 'type'");
        }
        Schema schema = schemas(direction).get(type.stringValue());
        if (schema == null) {
            return List.of("no " + direction.folder() + " frame of type '" + type.stringValue() + "' in " + DIR);
        }
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(frame)) {
            problems.add(error.toString());
        }
        return problems;
    }

    /** Fails with the frame and what is wrong with it unless it conforms. */
    public static void requireValid(Direction direction, String text) {
        List<String> problems = violations(direction, text);
        if (!problems.isEmpty()) {
            throw new AssertionError(describe(direction, text, problems));
        }
    }

    /** A failure message naming the frame (shortened) and its problems. */
    public static String describe(Direction direction, String text, List<String> problems) {
        String shown = text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " chars)" : text;
        return direction.folder() + " frame does not match docs/schemas/" + direction.folder() + ": " + shown + " "
                + problems;
    }

    /**
     * A draft 2020-12 registry that reads the schemas (and what they {@code $ref}) from
     * {@code docs/schemas} by their file IRIs; meta-schemas come from the validator's own jar.
     */
    public static SchemaRegistry registry() {
        String base = DIR.toUri().toString();
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(iri -> iri.startsWith(base) ? read(Path.of(URI.create(iri))) : null));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Map<String, Schema> schemas(Direction direction) {
        return direction == Direction.CLIENT ? CLIENT : SERVER;
    }

    private static Map<String, Schema> load(Direction direction) {
        Map<String, Schema> schemas = new TreeMap<>();
        try (Stream<Path> files = Files.list(DIR.resolve(direction.folder()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String type = file.getFileName().toString().replace(".json", "");
                Schema schema = REGISTRY.getSchema(SchemaLocation.of(file.toUri().toString()));
                schema.initializeValidators();
                schemas.put(type, schema);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return schemas;
    }

    private static Path findSchemas() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/schemas");
            if (Files.isRegularFile(candidate.resolve("common.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/schemas/common.json above " + Path.of("").toAbsolutePath());
    }
}
