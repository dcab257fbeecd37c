package dev.randomchat.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soft heap limit on a real generational ZGC: a JVM of its own ({@link HeapHeadroomProbe})
 * started with a 512 MiB soft limit allocates up to 100 MiB a second for 3 s, then nothing for 15 s
 * (the limit is back in 8-10 s; the burst's garbage is collected 3 s after it and the memory given
 * back in the seconds after). ZGC's own proactive collections are off in the probe, so that what
 * collects the burst's garbage under the limit is the server's.
 */
class HeapHeadroomIntegrationTests {

    private static final long MIB = 1L << 20;

    /** The probe's lines: {@code limit <ms> <busy|quiet> <soft limit> <committed heap> <collections asked for>}. */
    private static List<String[]> lines;

    @BeforeAll
    static void runTheProbe() throws Exception {
        Path java = java21OrLater();
        Process probe = new ProcessBuilder(java.toString(), "-XX:+UseZGC", "-XX:SoftMaxHeapSize=512m", "-Xmx2g",
                "-Xms16m", "-XX:ZUncommitDelay=1", "-XX:-ZProactive",
                "-cp", System.getProperty("java.class.path"), HeapHeadroomProbe.class.getName(), "3000", "15000")
                .redirectErrorStream(true)
                .start();
        lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("limit ")) {
                    lines.add(line.split(" "));
                }
            }
        }
        finally {
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
        }
        assertThat(probe.exitValue()).isZero();
    }

    @Test
    void theLimitRisesInABurstAndFallsBackWhenItEnds() {
        long busiest = lines.stream().filter(l -> l[2].equals("busy")).mapToLong(l -> Long.parseLong(l[3])).max()
                .orElseThrow();
        String[] last = lines.get(lines.size() - 1);
        String trace = changes(lines);
        System.out.println("soft limit changes (ms, phase, bytes):\n" + trace);
        // Four times the quiet limit at most, and never past the maximum heap: 2 GiB.
        assertThat(busiest).as(trace).isGreaterThan(512 * MIB).isLessThanOrEqualTo(2048 * MIB);
        assertThat(last[2]).isEqualTo("quiet");
        assertThat(Long.parseLong(last[3])).as(trace).isEqualTo(512 * MIB);
    }

    @Test
    void theEndOfABurstCollectsItsGarbageOnceAndTheMemoryGoesBack() {
        String trace = lines.stream().filter(l -> Long.parseLong(l[1]) % 1000 < 100).map(l -> String.join(" ", l))
                .collect(Collectors.joining("\n"));
        System.out.println("ms, phase, soft limit, committed heap, collections asked for:\n" + trace);
        long mostCommitted = lines.stream().mapToLong(l -> Long.parseLong(l[4])).max().orElseThrow();
        String[] last = lines.get(lines.size() - 1);
        // One collection for the one burst, however long the quiet after it.
        assertThat(Long.parseLong(last[5])).as(trace).isEqualTo(1);
        assertThat(lines.stream().filter(l -> l[2].equals("busy")).mapToLong(l -> Long.parseLong(l[5])).max().orElseThrow())
                .as(trace).isZero();
        // The burst took the heap past 256 MiB (what the probe keeps is 4 MiB); ZGC gives the memory
        // back in steps after the collection (to 56-80 MiB of 450 within 10 s here).
        assertThat(mostCommitted).as(trace).isGreaterThan(256 * MIB);
        assertThat(Long.parseLong(last[4])).as(trace).isLessThan(mostCommitted / 4);
    }

    /** The lines where the limit changed. */
    private static String changes(List<String[]> limits) {
        StringBuilder out = new StringBuilder();
        String previous = "";
        for (String[] limit : limits) {
            if (!limit[3].equals(previous)) {
                out.append(limit[1]).append(' ').append(limit[2]).append(' ').append(limit[3]).append('\n');
                previous = limit[3];
            }
        }
        return out.toString();
    }

    /** This JVM if it is Java 21 or later (it counts allocated bytes), else a JDK 21+ beside it. */
    private static Path java21OrLater() throws IOException {
        Path self = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Runtime.version().feature() >= 21) {
            return self;
        }
        Optional<Path> other;
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm")).sorted()) {
            other = jdks.filter(jdk -> jdk.getFileName().toString().matches(".*-(2[1-9]|[3-9][0-9])(-.*|\\.\\d.*)?$"))
                    .map(jdk -> jdk.resolve("bin/java"))
                    .filter(Files::isExecutable)
                    .findFirst();
        }
        catch (IOException ex) {
            other = Optional.empty();
        }
        Assumptions.assumeTrue(other.isPresent(),
                "needs a JDK 21 or later (it counts allocated bytes): not this one, and none in /usr/lib/jvm");
        return other.get();
    }
}
