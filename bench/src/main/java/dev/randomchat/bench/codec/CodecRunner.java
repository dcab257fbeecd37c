package dev.randomchat.bench.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.bench.infra.Report;

/**
 * {@code ./run.sh bench --codec}: the JMH codec benchmark, short enough for under two minutes
 * (one fork per frame type, 3 x 0.3 s warm-up, 4 x 0.4 s measured; the relay path, which
 * inlines the most, 10 x 0.3 s warm-up), then a note comparing the
 * codec's cost per relayed message with the relay's CPU time per message of the last run. The
 * figure kept is the best (lowest) measured iteration: on a machine shared with other work, the
 * mean mostly measures the neighbours.
 */
public final class CodecRunner {

    private static final Path TARGET = Path.of(System.getProperty("bench.dir", "bench/target"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CodecRunner() {
    }

    public static void run() throws Exception {
        Files.createDirectories(TARGET);
        Path results = TARGET.resolve("codec-jmh.json");
        Options options = new OptionsBuilder()
                .include(CodecBenchmark.class.getName() + "\\.")
                .forks(1)
                .jvmArgsAppend("-Xmx512m")
                .resultFormat(ResultFormatType.JSON)
                .result(results.toString())
                .build();
        Collection<RunResult> runs = new Runner(options).run();

        Map<String, Object> line = new LinkedHashMap<>();
        Map<String, Double> nanos = new LinkedHashMap<>();
        for (RunResult run : runs) {
            String method = run.getParams().getBenchmark().substring(run.getParams().getBenchmark().lastIndexOf('.') + 1);
            String frame = run.getParams().getParam("frame");
            String name = frame == null ? method : method + ":" + frame;
            nanos.put(name, Math.round(run.getPrimaryResult().getStatistics().getMin() * 10) / 10.0);
        }
        line.put("nsPerOpBestIteration", nanos);
        Double relay = nanos.get("relayMessage");
        Optional<Double> relayCpu = lastRelayCpuMicros();
        line.put("relayMessageCodecUs", relay == null ? null : relay / 1000);
        relayCpu.ifPresent(cpu -> line.put("relayServerCpuUsPerMessage", cpu));
        Report report = new Report(TARGET.resolve("codec.jsonl"), System.out);
        report.line("codec", line);

        System.out.println();
        System.out.println("| frame | decode ns | encode ns |");
        System.out.println("|---|---|---|");
        Set<String> frames = new TreeSet<>();
        nanos.keySet().stream().filter(name -> name.contains(":")).forEach(name -> frames.add(name.substring(7)));
        for (String frame : frames) {
            System.out.println("| " + frame + " | " + cell(nanos.get("decode:" + frame)) + " | "
                    + cell(nanos.get("encode:" + frame)) + " |");
        }
        if (relay != null) {
            System.out.printf(Locale.ROOT, "%nCodec work for one relayed message (decode send, build message, encode ack, "
                    + "UTF-8 in and out): %.2f us.%n", relay / 1000);
            if (relayCpu.isPresent()) {
                System.out.printf(Locale.ROOT, "The last benchmark run's chat server spent %.1f us of CPU per message "
                        + "outside the JIT compiler (relay, 1 server, 5k msgs/s): the codec is %.1f%% of it.%n", relayCpu.get(),
                        100 * relay / 1000 / relayCpu.get());
            }
            else {
                System.out.println("Run ./run.sh bench [--quick] for the relay's CPU time per message to compare.");
            }
        }
    }

    private static String cell(Double nanos) {
        return nanos == null ? "-" : String.format(Locale.ROOT, "%.0f", nanos);
    }

    /** The chat server's CPU per message in the 5k msgs/s step of the newest run's 1-server relay. */
    private static Optional<Double> lastRelayCpuMicros() throws IOException {
        Optional<Path> newest;
        try (Stream<Path> files = Files.list(TARGET)) {
            newest = files.filter(file -> file.getFileName().toString().matches("bench-.*\\.jsonl"))
                    .max(Comparator.comparing(Path::getFileName));
        }
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        for (String text : Files.readAllLines(newest.get())) {
            JsonNode node = JSON.readTree(text);
            if ("relay-1-server".equals(node.path("scenario").asString()) && node.path("offeredPerSec").asInt() == 5000) {
                // Without the JIT compiler threads: the steady state the codec benchmark measures too.
                JsonNode withoutJit = node.path("server1CpuUsPerMessageWithoutJit");
                return Optional.of(withoutJit.isNumber() ? withoutJit.asDouble()
                        : node.path("cpuUsPerMessage").path("server1").asDouble());
            }
        }
        return Optional.empty();
    }
}
