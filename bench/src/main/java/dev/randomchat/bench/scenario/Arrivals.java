package dev.randomchat.bench.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Clients.Guest;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.OpenLoop;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/**
 * Matching with visitors that connect when they arrive, the way a browser does: at its arrival
 * time (open loop) a visitor opens its websocket, waits for {@code hello}, sends {@code match}.
 * Time to match runs from the arrival (the connect) to {@code matched}; the part from the
 * {@code match} frame is reported too. Guests are made beforehand ({@code POST /api/guests} is
 * not part of the step), and the server CPU of the step includes every upgrade.
 */
public final class Arrivals {

    /** Time the server gets, after the last arrival, to pair everyone. */
    private static final Duration DRAIN = Duration.ofSeconds(15);
    static final String MATCH = "{\"type\":\"match\"}";
    /** How every {@code matched} frame begins. */
    static final String MATCHED = "{\"type\":\"matched\"";

    /**
     * For finding where a tail comes from: {@code -Dbench.arrivalTrace=<path>} writes, per step, a
     * file {@code <path>-<pairs/s>} with a line per matched visitor: its arrival (wall clock, ms),
     * its time to match and the part from its {@code match} frame (us), to set beside the
     * server's GC log or Redis's slowlog.
     */
    private static final String TRACE = System.getProperty("bench.arrivalTrace");

    private final Service redis;

    public Arrivals(Service redis) {
        this.redis = redis;
    }

    public Map<String, Object> step(Service server, int pairsPerSec, double seconds) {
        int visitors = (int) Math.round(2.0 * pairsPerSec * seconds) & ~1;
        List<Guest> guests = Clients.guests(server.baseUrl(), visitors);
        Baselines.sleep(Duration.ofSeconds(1));
        // What making the guests left to compile (C2 after an uncommon trap in the HTTP path, seen in
        // a compilation log) is not the step's work.
        Machine.awaitQuiet(Duration.ofSeconds(6), server.pid());
        Recorder fromArrival = new Recorder(3);
        Recorder fromMatch = new Recorder(3);
        LongAdder matched = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicLong lastMatched = new AtomicLong();
        ConcurrentLinkedQueue<Ws> sockets = new ConcurrentLinkedQueue<>();
        // The first characters of each frame after the hello a visitor got: what an unmatched one saw.
        Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
        long pausedBefore = Machine.collectLoadGenerator();
        long serverCpu = Machine.cpuMicros(server.pid());
        Map<String, Long> threadsBefore = Machine.threadCpuMicros(server.pid());
        long redisCpu = Machine.cpuMicros(redis.pid());
        long clientCpu = Machine.cpuMicros(Machine.selfPid());
        Machine.Switches switches = Machine.Switches.of(server.pid(), redis.pid());
        Queue<String> trace = new ConcurrentLinkedQueue<>();
        long start = OpenLoop.run(2.0 * pairsPerSec, visitors, (i, intended) -> {
            int index = (int) i;
            // Subscribed here on purpose: each arrival runs on its own, as a browser's would.
            seen.put(index, new CopyOnWriteArrayList<>());
            Ws.connect(Clients.wsUri(server.port(), index, "/ws"), guests.get(index).token()).subscribe(ws -> {
                sockets.add(ws);
                long[] matchSent = new long[1];
                // Only frames after the hello reach this handler for sure: the socket connects as soon
                // as Ws.connect is called, and its hello may arrive before this lambda runs.
                ws.onText(frame -> {
                    seen.get(index).add(frame.substring(0, Math.min(frame.length(), 24)));
                    if (frame.startsWith(MATCHED)) {
                        long now = System.nanoTime();
                        fromArrival.recordValue(Math.max(0, (now - intended) / 1000));
                        if (TRACE != null) {
                            trace.add((System.currentTimeMillis() - (now - intended) / 1_000_000) + " "
                                    + (now - intended) / 1000 + " " + (now - matchSent[0]) / 1000);
                        }
                        fromMatch.recordValue(Math.max(0, (now - matchSent[0]) / 1000));
                        matched.increment();
                        lastMatched.accumulateAndGet(now, Math::max);
                    }
                    else if (frame.startsWith("{\"type\":\"error\"")) {
                        failed.increment();
                        firstError.compareAndSet(null, frame);
                    }
                });
                // The first frame is kept by the socket whenever it came, so no hello is missed.
                ws.firstFrame().thenAccept(frame -> {
                    if (frame.startsWith("{\"type\":\"hello\"")) {
                        matchSent[0] = System.nanoTime();
                        ws.send(MATCH);
                    }
                });
            }, error -> {
                failed.increment();
                firstError.compareAndSet(null, error.toString());
            });
        });
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (matched.sum() + failed.sum() < visitors && System.nanoTime() < deadline) {
            Baselines.sleep(Duration.ofMillis(10));
        }
        Baselines.sleep(Duration.ofMillis(300));
        long serverCpuUsed = Machine.cpuMicros(server.pid()) - serverCpu;
        Map<String, Long> threadsAfter = Machine.threadCpuMicros(server.pid());
        long redisCpuUsed = Machine.cpuMicros(redis.pid()) - redisCpu;
        long clientCpuUsed = Machine.cpuMicros(Machine.selfPid()) - clientCpu;
        Machine.Switches switched = switches.sinceThen();
        Clients.closeAll(List.copyOf(sockets));
        if (TRACE != null) {
            try {
                Files.write(Path.of(TRACE + "-" + pairsPerSec), trace);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        int pairs = (int) matched.sum() / 2;
        double took = (Math.max(lastMatched.get(), start) - start) / 1e9;
        double pairsRate = took > 0 ? pairs / took : 0;
        int perPair = Math.max(1, pairs);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", "connect at arrival");
        out.put("offeredPairsPerSec", pairsPerSec);
        out.put("visitors", visitors);
        out.put("matchedVisitors", matched.sum());
        out.put("failed", failed.sum());
        if (firstError.get() != null) {
            out.put("firstError", firstError.get());
        }
        out.put("pairsPerSec", Math.round(pairsRate));
        out.put("unmatchedSaw", seen.values().stream()
                .filter(frames -> frames.stream().noneMatch(frame -> frame.startsWith(MATCHED)))
                .limit(8).map(List::toString).toList());
        out.put("timeToMatch", Stats.latencyMs(fromArrival.getIntervalHistogram()));
        out.put("timeFromMatchFrame", Stats.latencyMs(fromMatch.getIntervalHistogram()));
        out.put("loadGeneratorGcPauseMs", Machine.loadGeneratorGcPauseMillis() - pausedBefore);
        out.put("sustained", failed.sum() == 0 && matched.sum() == visitors
                && pairsRate >= Matching.SUSTAINED_SHARE * pairsPerSec);
        out.put("cpuUsPerPair", Map.of(
                "server", Stats.round(serverCpuUsed / (double) perPair, 1),
                "redis", Stats.round(redisCpuUsed / (double) perPair, 1),
                "benchClient", Stats.round(clientCpuUsed / (double) perPair, 1)));
        out.put("contextSwitchesPerPair", switched.per(perPair));
        out.put("serverCpuUsPerPairWithoutJit", Machine.withoutJitPer(threadsBefore, threadsAfter, perPair));
        out.put("serverCpuUsPerPairByThread", Machine.threadCpuPer(threadsBefore, threadsAfter, perPair));
        return out;
    }
}
