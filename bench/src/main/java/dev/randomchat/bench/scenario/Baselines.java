package dev.randomchat.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.OpenLoop;
import dev.randomchat.bench.infra.RedisProbe;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/** What the parts under the service can do on this machine, measured the way the service is. */
public final class Baselines {

    /** About the size of a chat message frame, so the echo moves what the relay moves. */
    static final String ECHO_PAYLOAD = "{\"type\":\"send\",\"cmid\":\"m123456\",\"text\":\"0:123456:1234567890123 "
            + "the quick brown fox jumps over the lazy dog\"}";

    private Baselines() {
    }

    /**
     * Raw Reactor Netty websocket echo: {@code connections} sockets each keep {@code window} round
     * trips in flight; the figure is round trips completed per second.
     */
    public static Map<String, Object> echo(Service echo, int connections, int window, double seconds) {
        List<Ws> sockets = Clients.connect(connections, i -> Clients.wsUri(echo.port(), i, "/ws"), i -> null, false);
        LongAdder roundTrips = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        for (Ws ws : sockets) {
            ws.onText(text -> {
                roundTrips.increment();
                if (running.get()) {
                    ws.send(ECHO_PAYLOAD);
                }
            });
        }
        for (Ws ws : sockets) {
            for (int i = 0; i < window; i++) {
                ws.send(ECHO_PAYLOAD);
            }
        }
        sleep(Duration.ofSeconds(1));
        long cpuServer = Machine.cpuMicros(echo.pid());
        long cpuClient = Machine.cpuMicros(Machine.selfPid());
        long before = roundTrips.sum();
        long start = System.nanoTime();
        sleep(Duration.ofMillis((long) (seconds * 1000)));
        long count = roundTrips.sum() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        long serverCpu = Machine.cpuMicros(echo.pid()) - cpuServer;
        long clientCpu = Machine.cpuMicros(Machine.selfPid()) - cpuClient;
        running.set(false);
        Clients.closeAll(sockets);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connections", connections);
        out.put("window", window);
        out.put("seconds", Stats.round(elapsed, 2));
        out.put("roundTripsPerSec", Math.round(count / elapsed));
        out.put("serverCpuUsPerRoundTrip", Stats.round((double) serverCpu / count, 2));
        out.put("clientCpuUsPerRoundTrip", Stats.round((double) clientCpu / count, 2));
        return out;
    }

    /** What the bare server does for each visitor of {@link #referenceArrivals}. */
    public enum Reference {
        /** {@code /ws}: the visitor sends one frame and waits for its echo. */
        ECHO("/ws"),
        /**
         * {@code /pair}: the visitor waits for {@code hello}, sends {@code match} and waits for
         * {@code matched}; one Redis script per visitor pairs it (the bench's {@code PairingRoute}).
         */
        PAIRING("/pair");

        private final String path;

        Reference(String path) {
            this.path = path;
        }
    }

    /**
     * The matching rows' arrivals against the bare server: at {@code pairsPerSec} twice that many
     * websockets a second connect (open loop), each does what {@code kind} says, and all stay open
     * until the step ends. What the bare server's CPU per pair comes to at one rate and another is
     * what this machine charges a JVM websocket server for the same work at a lower or higher duty
     * cycle, with nothing of the chat server in it.
     */
    public static Map<String, Object> referenceArrivals(Service echo, Reference kind, int pairsPerSec, double seconds) {
        int sockets = (int) Math.round(2.0 * pairsPerSec * seconds);
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        Recorder fromArrival = new Recorder(3);
        Queue<Ws> open = new ConcurrentLinkedQueue<>();
        long cpuServer = Machine.cpuMicros(echo.pid());
        Map<String, Long> threadsBefore = Machine.threadCpuMicros(echo.pid());
        OpenLoop.run(2.0 * pairsPerSec, sockets, (i, intended) ->
                Ws.connect(Clients.wsUri(echo.port(), (int) i, kind.path), null).subscribe(ws -> {
                    open.add(ws);
                    ws.onText(text -> {
                        if (kind == Reference.ECHO || text.startsWith(Arrivals.MATCHED)) {
                            fromArrival.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                            done.increment();
                        }
                    });
                    if (kind == Reference.ECHO) {
                        ws.send(ECHO_PAYLOAD);
                    }
                    else {
                        ws.firstFrame().thenAccept(hello -> ws.send(Arrivals.MATCH));
                    }
                }, error -> failed.increment()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (done.sum() + failed.sum() < sockets && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        sleep(Duration.ofMillis(300));
        long serverCpu = Machine.cpuMicros(echo.pid()) - cpuServer;
        Map<String, Long> threadsAfter = Machine.threadCpuMicros(echo.pid());
        Clients.closeAll(List.copyOf(open));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reference", kind.name().toLowerCase(Locale.ROOT));
        out.put("offeredPairsPerSec", pairsPerSec);
        out.put("sockets", sockets);
        out.put(kind == Reference.ECHO ? "echoed" : "matched", done.sum());
        out.put("failed", failed.sum());
        out.put("timeToAnswer", Stats.latencyMs(fromArrival.getIntervalHistogram()));
        int pairs = Math.max(1, sockets / 2);
        out.put("serverCpuUsPerPair", Stats.round(serverCpu / (double) pairs, 1));
        out.put("serverCpuUsPerPairByThread", Machine.threadCpuPer(threadsBefore, threadsAfter, pairs));
        return out;
    }

    /** {@code redis-benchmark} PUBLISH, 50 clients, no pipelining. */
    public static Map<String, Object> redisPublish(Service redis, int requests) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(redis.port()),
                "-c", "50", "-n", Integer.toString(requests), "--csv", "PUBLISH", "bench:publish",
                "hello-from-redis-benchmark")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("redis-benchmark failed: " + output);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", 50);
        out.put("requests", requests);
        for (String line : output.split("\r?\n")) {
            if (line.startsWith("\"PUBLISH")) {
                String[] cells = line.replace("\"", "").split(",");
                out.put("publishPerSec", Math.round(Double.parseDouble(cells[1])));
                out.put("avgLatencyMs", Double.parseDouble(cells[2]));
                if (cells.length > 5) {
                    out.put("p50LatencyMs", Double.parseDouble(cells[4]));
                    out.put("p99LatencyMs", Double.parseDouble(cells[6]));
                }
            }
        }
        if (!out.containsKey("publishPerSec")) {
            throw new IOException("unexpected redis-benchmark output: " + output);
        }
        return out;
    }

    /**
     * Lettuce Pub/Sub, one hop: a publisher sends its clock at a fixed rate, a subscriber in the
     * same process records the time until the message arrives.
     */
    public static Map<String, Object> pubSubHop(RedisProbe redis, int rate, double seconds) throws InterruptedException {
        String topic = "bench:hop";
        Recorder recorder = new Recorder(3);
        LongAdder received = new LongAdder();
        try (StatefulRedisPubSubConnection<String, String> subscriber = redis.client().connectPubSub();
                StatefulRedisConnection<String, String> publisher = redis.client().connect()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    recorder.recordValue(Math.max(0, (System.nanoTime() - Long.parseLong(message)) / 1000));
                    received.increment();
                }
            });
            subscriber.sync().subscribe(topic);
            var async = publisher.async();
            // A short warm-up, then the measured run.
            OpenLoop.run(rate, rate / 2, (i, intended) -> async.publish(topic, Long.toString(System.nanoTime())));
            sleep(Duration.ofMillis(200));
            recorder.getIntervalHistogram();
            long total = (long) (rate * seconds);
            long before = received.sum();
            OpenLoop.run(rate, total, (i, intended) -> async.publish(topic, Long.toString(System.nanoTime())));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (received.sum() - before < total && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(20));
            }
            subscriber.sync().unsubscribe(topic);
        }
        Histogram histogram = recorder.getIntervalHistogram();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ratePerSec", rate);
        out.put("messages", histogram.getTotalCount());
        out.put("p50Us", histogram.getValueAtPercentile(50));
        out.put("p99Us", histogram.getValueAtPercentile(99));
        out.put("p999Us", histogram.getValueAtPercentile(99.9));
        out.put("maxUs", histogram.getMaxValue());
        return out;
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
