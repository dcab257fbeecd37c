package dev.randomchat.bench.infra;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** One JSON line per scenario or step, to stdout and to a file; progress notes go to stderr. */
public final class Report {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path jsonLines;
    private final PrintStream out;

    public Report(Path jsonLines, PrintStream out) throws IOException {
        this.jsonLines = jsonLines;
        this.out = out;
        Files.createDirectories(jsonLines.getParent());
        Files.writeString(jsonLines, "");
    }

    public Path file() {
        return jsonLines;
    }

    public void line(String scenario, Map<String, Object> fields) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("scenario", scenario);
        all.putAll(fields);
        String text = JSON.writeValueAsString(all);
        out.println(text);
        out.flush();
        try {
            Files.writeString(jsonLines, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A progress line, with the UTC time of day to lay beside the servers' logs and recordings. */
    public static void note(String text) {
        System.err.println("[bench] " + LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS) + " " + text);
        System.err.flush();
    }
}
