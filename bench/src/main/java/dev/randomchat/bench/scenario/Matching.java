package dev.randomchat.bench.scenario;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Clients.Guest;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.OpenLoop;
import dev.randomchat.bench.infra.RedisProbe;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/**
 * Matching: visitors whose sockets are already open send {@code match} at a fixed arrival rate
 * (open loop, two visitors per pair). Time to match runs from the intended {@code match} to the
 * {@code matched} frame. Afterwards every visitor must have exactly one {@code matched}, and
 * every channel exactly two visitors that name each other as peer.
 */
public final class Matching {

    private static final Duration SETTLE = Duration.ofSeconds(1);
    /** Time the queue gets, after the last arrival, to pair everyone. */
    private static final Duration DRAIN = Duration.ofSeconds(15);
    /** A step is sustained when pairs are made at least at this share of the offered rate. */
    static final double SUSTAINED_SHARE = 0.9;

    private final RedisProbe probe;
    private final Service redis;

    public Matching(RedisProbe probe, Service redis) {
        this.probe = probe;
        this.redis = redis;
    }

    public Map<String, Object> step(Service server, int pairsPerSec, int maxVisitors, double seconds) {
        int visitors = (int) Math.min(maxVisitors, Math.round(2.0 * pairsPerSec * seconds)) & ~1;
        List<Guest> guests = Clients.guests(server.baseUrl(), visitors);
        List<Ws> sockets = Clients.connect(visitors, i -> Clients.wsUri(server.port(), i, "/ws"),
                i -> guests.get(i).token(), true);
        try {
            // What the connects started (each guest marked online) ends before the step is measured.
            Baselines.sleep(SETTLE);
            return run(server, guests, sockets, pairsPerSec);
        }
        finally {
            Clients.closeAll(sockets);
        }
    }

    private Map<String, Object> run(Service server, List<Guest> guests, List<Ws> sockets, int pairsPerSec) {
        int visitors = sockets.size();
        Recorder timeToMatch = new Recorder(3);
        LongAdder matchedVisitors = new LongAdder();
        AtomicLong lastMatched = new AtomicLong();
        long[] intended = new long[visitors];
        Visitor[] states = new Visitor[visitors];
        for (int i = 0; i < visitors; i++) {
            Visitor visitor = new Visitor();
            states[i] = visitor;
            int index = i;
            sockets.get(i).onText(frame -> {
                if (!frame.startsWith("{\"type\":\"matched\"")) {
                    if (frame.startsWith("{\"type\":\"error\"")) {
                        visitor.error = frame;
                    }
                    return;
                }
                long now = System.nanoTime();
                if (++visitor.matched == 1) {
                    visitor.channelId = Stats.stringAfter(frame, "\"channelId\":\"");
                    visitor.peerId = Stats.stringAfter(frame, "\"peer\":{\"id\":\"");
                    timeToMatch.recordValue(Math.max(0, (now - intended[index]) / 1000));
                    matchedVisitors.increment();
                    lastMatched.accumulateAndGet(now, Math::max);
                }
            });
        }
        long pausedBefore = Machine.collectLoadGenerator();
        long serverCpu = Machine.cpuMicros(server.pid());
        Map<String, Long> threadsBefore = Machine.threadCpuMicros(server.pid());
        long redisCpu = Machine.cpuMicros(redis.pid());
        long clientCpu = Machine.cpuMicros(Machine.selfPid());
        Machine.Switches switches = Machine.Switches.of(server.pid(), redis.pid());
        Map<String, long[]> statsBefore = probe.commandStats();
        double arrivalsPerSec = 2.0 * pairsPerSec;
        long start = OpenLoop.run(arrivalsPerSec, visitors, (i, when) -> {
            intended[(int) i] = when;
            sockets.get((int) i).send("{\"type\":\"match\"}");
        });
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (matchedVisitors.sum() < visitors && System.nanoTime() < deadline) {
            Baselines.sleep(Duration.ofMillis(10));
        }
        Baselines.sleep(Duration.ofMillis(300));
        long serverCpuUsed = Machine.cpuMicros(server.pid()) - serverCpu;
        Map<String, Long> threadsAfter = Machine.threadCpuMicros(server.pid());
        long redisCpuUsed = Machine.cpuMicros(redis.pid()) - redisCpu;
        long clientCpuUsed = Machine.cpuMicros(Machine.selfPid()) - clientCpu;
        Machine.Switches switched = switches.sinceThen();
        Map<String, long[]> commands = RedisProbe.delta(statsBefore, probe.commandStats());

        int unmatched = 0;
        int matchedTwice = 0;
        int errors = 0;
        String firstError = null;
        Map<String, Integer> byChannel = new HashMap<>();
        Map<String, String> idToChannel = new HashMap<>();
        for (int i = 0; i < visitors; i++) {
            Visitor visitor = states[i];
            if (visitor.matched == 0) {
                unmatched++;
            }
            if (visitor.matched > 1) {
                matchedTwice++;
            }
            if (visitor.error != null) {
                errors++;
                firstError = firstError == null ? visitor.error : firstError;
            }
            if (visitor.channelId != null) {
                byChannel.merge(visitor.channelId, 1, Integer::sum);
                idToChannel.put(guests.get(i).id(), visitor.channelId);
            }
        }
        int badChannels = (int) byChannel.values().stream().filter(n -> n != 2).count();
        int badPeers = 0;
        for (int i = 0; i < visitors; i++) {
            Visitor visitor = states[i];
            if (visitor.channelId != null && (visitor.peerId == null || visitor.peerId.equals(guests.get(i).id())
                    || !visitor.channelId.equals(idToChannel.get(visitor.peerId)))) {
                badPeers++;
            }
        }
        int pairs = (int) matchedVisitors.sum() / 2;
        double seconds = (Math.max(lastMatched.get(), start) - start) / 1e9;
        double pairsRate = seconds > 0 ? pairs / seconds : 0;
        boolean exactlyOnce = unmatched == 0 && matchedTwice == 0 && badChannels == 0 && badPeers == 0;
        Histogram histogram = timeToMatch.getIntervalHistogram();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offeredPairsPerSec", pairsPerSec);
        out.put("visitors", visitors);
        out.put("pairs", pairs);
        out.put("seconds", Stats.round(seconds, 3));
        out.put("pairsPerSec", Math.round(pairsRate));
        out.put("timeToMatch", Stats.latencyMs(histogram));
        out.put("loadGeneratorGcPauseMs", Machine.loadGeneratorGcPauseMillis() - pausedBefore);
        out.put("unmatched", unmatched);
        out.put("matchedMoreThanOnce", matchedTwice);
        out.put("channelsWithoutExactlyTwo", badChannels);
        out.put("wrongPeers", badPeers);
        out.put("errors", errors);
        if (firstError != null) {
            out.put("firstError", firstError);
        }
        out.put("everyVisitorMatchedExactlyOnce", exactlyOnce);
        out.put("sustained", exactlyOnce && errors == 0 && pairsRate >= SUSTAINED_SHARE * pairsPerSec);
        int perPair = Math.max(1, pairs);
        // The load generator shares the cores: its share says what is left for the service.
        out.put("cpuUsPerPair", Map.of(
                "server", Stats.round(serverCpuUsed / (double) perPair, 1),
                "redis", Stats.round(redisCpuUsed / (double) perPair, 1),
                "benchClient", Stats.round(clientCpuUsed / (double) perPair, 1)));
        out.put("contextSwitchesPerPair", switched.per(perPair));
        // Commands run by scripts count under their own names as well; INFO is this bench's own.
        out.put("redisCommandsPerPair", RedisProbe.per(commands, name -> !name.equals("info"), 0, pairs, 2));
        out.put("redisUsecPerPairByCommand", RedisProbe.per(commands, name -> !name.equals("info"), 1, pairs, 2));
        out.put("serverCpuUsPerPairWithoutJit", Machine.withoutJitPer(threadsBefore, threadsAfter, perPair));
        out.put("serverCpuUsPerPairByThread", Machine.threadCpuPer(threadsBefore, threadsAfter, perPair));
        return out;
    }

    /** One visitor's view; written on its socket's event loop, read after the step. */
    private static final class Visitor {

        private volatile int matched;
        private volatile String channelId;
        private volatile String peerId;
        private volatile String error;
    }
}
