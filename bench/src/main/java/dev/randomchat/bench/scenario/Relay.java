package dev.randomchat.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
 * The relay: {@code pairs} matched pairs send chat messages at a fixed total rate (open loop),
 * each socket in turn. Guest A of a pair is on the first server, B on the last one, so with two
 * servers every message reaches the peer through the other server. Every socket checks that it
 * receives its channel's seq 1, 2, 3, ... with no gap and no repeat; latency is from the intended
 * send time written in the text to its arrival at the peer.
 */
public final class Relay {

    /** After the last send, what is still in flight gets this long to arrive before it counts as lost. */
    private static final Duration DRAIN = Duration.ofSeconds(10);
    private static final Duration PAIRING_WAIT = Duration.ofSeconds(15);
    /** The server's presence grace (chat/ChannelPresence.GRACE, 3 s) and a margin. */
    private static final Duration PRESENCE_SETTLE = Duration.ofMillis(3_500);
    /** Padding to a typical chat line (~70 characters of text). */
    private static final String PAD = " the quick brown fox jumps over the lazy dog";
    /** A step is sustained when at least this share of the offered rate arrives... */
    static final double SUSTAINED_SHARE = 0.95;
    /** ...and 99% of the messages arrive within this (a growing queue does not). */
    static final double SUSTAINED_P99_MS = 50;
    /** Commands a send.lua run issues inside Redis (counted by INFO commandstats too). */
    private static final List<String> SEND_SCRIPT_COMMANDS = List.of("hmget", "hget", "hincrby", "rpush", "ltrim",
            "hset", "pexpire", "publish");

    private final List<RedisProbe> redis;
    private final List<Service> redisNodes;

    public Relay(RedisProbe redis, Service redisService) {
        this(List.of(redis), List.of(redisService));
    }

    /** A relay over a Redis Cluster: command counts and CPU are summed over its nodes. */
    public Relay(List<RedisProbe> nodes, List<Service> redisNodes) {
        this.redis = nodes;
        this.redisNodes = redisNodes;
    }

    /** One step: fresh pairs, {@code rate} messages/s for {@code seconds}, then every check. */
    public Map<String, Object> step(List<Service> servers, int pairs, int rate, double seconds) {
        Service first = servers.get(0);
        Service last = servers.get(servers.size() - 1);
        List<Guest> guests = Clients.guests(first.baseUrl(), pairs * 2);
        List<Ws> a = Clients.connect(pairs, i -> Clients.wsUri(first.port(), i, "/ws"), i -> guests.get(2 * i).token(),
                true);
        List<Ws> b = Clients.connect(pairs, i -> Clients.wsUri(last.port(), i + pairs, "/ws"),
                i -> guests.get(2 * i + 1).token(), true);
        List<Ws> sockets = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            pair(a.get(i), b.get(i));
            sockets.add(a.get(i));
            sockets.add(b.get(i));
        }
        try {
            return run(servers, sockets, rate, seconds);
        }
        finally {
            Clients.closeAll(sockets);
            // A closed socket's guest is announced offline after the server's presence grace (3 s):
            // let that happen here, not inside the next step's Redis command count.
            Baselines.sleep(PRESENCE_SETTLE);
        }
    }

    /** A waits, then B matches: the queue is otherwise empty, so B meets A (FIFO). */
    private static void pair(Ws a, Ws b) {
        try {
            var waiting = a.expect(text -> text.startsWith("{\"type\":\"waiting\""));
            a.send("{\"type\":\"match\"}");
            waiting.get(PAIRING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            var matchedA = a.expect(text -> text.startsWith("{\"type\":\"matched\""));
            var matchedB = b.expect(text -> text.startsWith("{\"type\":\"matched\""));
            b.send("{\"type\":\"match\"}");
            String channelA = Stats.stringAfter(matchedA.get(PAIRING_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "\"channelId\":\"");
            String channelB = Stats.stringAfter(matchedB.get(PAIRING_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "\"channelId\":\"");
            if (channelA == null || !channelA.equals(channelB)) {
                throw new IllegalStateException("pairing went wrong: " + channelA + " vs " + channelB);
            }
        }
        catch (Exception ex) {
            throw new IllegalStateException("could not pair two bench guests", ex);
        }
    }

    private Map<String, Object> run(List<Service> servers, List<Ws> sockets, int rate, double seconds) {
        int count = sockets.size();
        Recorder latency = new Recorder(3);
        LongAdder delivered = new LongAdder();
        AtomicLong lastDelivery = new AtomicLong();
        SocketState[] states = new SocketState[count];
        for (int i = 0; i < count; i++) {
            states[i] = new SocketState(i, latency, delivered, lastDelivery);
            sockets.get(i).onText(states[i]::received);
        }
        long total = Math.round(rate * seconds);
        long[] sent = new long[count];
        @SuppressWarnings("unchecked")
        List<String>[] batches = new List[count];
        for (int i = 0; i < count; i++) {
            batches[i] = new ArrayList<>();
        }
        long pausedBefore = Machine.collectLoadGenerator();
        Map<String, long[]> statsBefore = commandStats();
        long[] cpuBefore = cpu(servers);
        Map<String, Long> threadsBefore = Machine.threadCpuMicros(servers.get(0).pid());
        long startWall = System.nanoTime();
        long start = OpenLoop.run(rate, total, new OpenLoop.Emitter() {
            @Override
            public void emit(long index, long intendedNanos) {
                int socket = (int) (index % count);
                sent[socket]++;
                batches[socket].add("{\"type\":\"send\",\"cmid\":\"m" + index + "\",\"text\":\"" + socket + ":" + index
                        + ":" + intendedNanos + PAD + "\"}");
            }

            @Override
            public void flush() {
                for (int i = 0; i < count; i++) {
                    if (!batches[i].isEmpty()) {
                        sockets.get(i).sendAll(batches[i]);
                        batches[i] = new ArrayList<>();
                    }
                }
            }
        });
        long sendEnd = System.nanoTime();
        long deadline = sendEnd + DRAIN.toNanos();
        while (delivered.sum() < total && System.nanoTime() < deadline) {
            Baselines.sleep(Duration.ofMillis(10));
        }
        // Acks and own copies may trail the peer's copy a little.
        Baselines.sleep(Duration.ofMillis(200));
        long[] cpuAfter = cpu(servers);
        Map<String, Long> threadsAfter = Machine.threadCpuMicros(servers.get(0).pid());
        Map<String, long[]> commands = RedisProbe.delta(statsBefore, commandStats());
        Histogram histogram = latency.getIntervalHistogram();

        long lost = 0;
        long gaps = 0;
        long disorder = 0;
        long missingAcks = 0;
        long errors = 0;
        long closed = 0;
        String firstError = null;
        for (int i = 0; i < count; i += 2) {
            long channelTotal = sent[i] + sent[i + 1];
            for (int j = i; j <= i + 1; j++) {
                SocketState state = states[j];
                // Missing from the peer, or missing at the end of the channel's seq (own messages too).
                lost += Math.max(Math.max(0, sent[j ^ 1] - state.peerMessages), channelTotal - state.lastSeq);
                gaps += state.gaps;
                disorder += state.disorder;
                missingAcks += Math.max(0, sent[j] - state.acks);
                errors += state.errors;
                if (firstError == null) {
                    firstError = state.firstError;
                }
                if (!sockets.get(j).isOpen()) {
                    closed++;
                }
            }
        }
        long deliveredCount = delivered.sum();
        double deliverySeconds = (Math.max(lastDelivery.get(), start) - start) / 1e9;
        double deliveredRate = deliverySeconds > 0 ? deliveredCount / deliverySeconds : 0;
        double sendSeconds = (sendEnd - startWall) / 1e9;
        Map<String, Object> latencyMs = Stats.latencyMs(histogram);
        boolean clean = lost == 0 && gaps == 0 && disorder == 0 && missingAcks == 0 && errors == 0 && closed == 0;
        boolean sustained = clean && deliveredRate >= SUSTAINED_SHARE * rate
                && (double) latencyMs.get("p99Ms") < SUSTAINED_P99_MS;

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("servers", servers.size());
        out.put("crossServer", servers.size() > 1);
        out.put("pairs", count / 2);
        out.put("offeredPerSec", rate);
        out.put("seconds", Stats.round(sendSeconds, 2));
        out.put("messages", total);
        out.put("delivered", deliveredCount);
        out.put("deliveredPerSec", Math.round(deliveredRate));
        out.put("latency", latencyMs);
        out.put("loadGeneratorGcPauseMs", Machine.loadGeneratorGcPauseMillis() - pausedBefore);
        out.put("lost", lost);
        out.put("seqGaps", gaps);
        out.put("reordered", disorder);
        out.put("missingAcks", missingAcks);
        out.put("errors", errors);
        if (firstError != null) {
            out.put("firstError", firstError);
        }
        out.put("socketsClosed", closed);
        out.put("sustained", sustained);
        out.put("cpuUsPerMessage", cpuPerMessage(servers, cpuBefore, cpuAfter, total));
        out.put(servers.get(0).name() + "CpuUsPerMessageWithoutJit", Machine.withoutJitPer(threadsBefore, threadsAfter,
                total));
        out.put(servers.get(0).name() + "CpuUsPerMessageByThread", Machine.threadCpuPer(threadsBefore, threadsAfter,
                total));
        out.put("insideSendLuaPerMessage", RedisProbe.per(commands, SEND_SCRIPT_COMMANDS::contains, 0, total, 4));
        out.put("evalshaPerMessage", Stats.round(calls(commands, "evalsha") / (double) total, 4));
        // presence.lua renews each channel's presence every 5 s and is the only script that runs
        // during a step besides send.lua; each run calls TIME once.
        out.put("evalshaPerMessageHotPath", Stats.round((calls(commands, "evalsha") - calls(commands, "time"))
                / (double) total, 4));
        out.put("backgroundEvalshaPresenceTicks", calls(commands, "time"));
        out.put("redisUsecPerEvalsha", Stats.round(usec(commands, "evalsha") / (double) Math.max(1, calls(commands,
                "evalsha")), 2));
        out.put("otherTopLevelCommands", otherCommands(commands));
        return out;
    }

    /** {@code INFO commandstats} summed over the Redis nodes. */
    private Map<String, long[]> commandStats() {
        Map<String, long[]> sum = new TreeMap<>();
        for (RedisProbe probe : redis) {
            probe.commandStats().forEach((name, stat) -> sum.merge(name, stat,
                    (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
        }
        return sum;
    }

    /** CPU microseconds of each server, Redis and this process; then each server's system share and context switches. */
    private long[] cpu(List<Service> servers) {
        int n = servers.size();
        long[] cpu = new long[n + 2 + 2 * n];
        for (int i = 0; i < n; i++) {
            long[] split = Machine.cpuSplitMicros(servers.get(i).pid());
            cpu[i] = split[0] + split[1];
            cpu[n + 2 + i] = split[1];
            cpu[2 * n + 2 + i] = Machine.contextSwitches(servers.get(i).pid());
        }
        for (Service node : redisNodes) {
            cpu[n] += Machine.cpuMicros(node.pid());
        }
        cpu[n + 1] = Machine.cpuMicros(Machine.selfPid());
        return cpu;
    }

    private static Map<String, Object> cpuPerMessage(List<Service> servers, long[] before, long[] after, long total) {
        Map<String, Object> out = new LinkedHashMap<>();
        double service = 0;
        for (int i = 0; i < servers.size(); i++) {
            double us = (after[i] - before[i]) / (double) total;
            service += us;
            out.put(servers.get(i).name(), Stats.round(us, 2));
        }
        double redisUs = (after[servers.size()] - before[servers.size()]) / (double) total;
        out.put("redis", Stats.round(redisUs, 2));
        out.put("serversPlusRedis", Stats.round(service + redisUs, 2));
        out.put("benchClient", Stats.round((after[servers.size() + 1] - before[servers.size() + 1]) / (double) total, 2));
        int n = servers.size();
        for (int i = 0; i < n; i++) {
            out.put(servers.get(i).name() + "System", Stats.round((after[n + 2 + i] - before[n + 2 + i]) / (double) total, 2));
            out.put(servers.get(i).name() + "ContextSwitchesPerMessage",
                    Stats.round((after[2 * n + 2 + i] - before[2 * n + 2 + i]) / (double) total, 2));
        }
        return out;
    }

    /** Commands that are neither EVALSHA nor run inside send.lua, nor this bench's own INFO. */
    private static Map<String, Object> otherCommands(Map<String, long[]> commands) {
        Map<String, Object> out = new LinkedHashMap<>();
        commands.forEach((name, stat) -> {
            if (!name.equals("evalsha") && !name.equals("info") && !SEND_SCRIPT_COMMANDS.contains(name)) {
                out.put(name, stat[0]);
            }
        });
        return out;
    }

    private static long calls(Map<String, long[]> commands, String name) {
        long[] stat = commands.get(name);
        return stat == null ? 0 : stat[0];
    }

    private static long usec(Map<String, long[]> commands, String name) {
        long[] stat = commands.get(name);
        return stat == null ? 0 : stat[1];
    }

    /** What one socket has seen; written only on its event loop, read after the step. */
    private static final class SocketState {

        private final int index;
        private final Recorder latency;
        private final LongAdder delivered;
        private final AtomicLong lastDelivery;
        private volatile long lastSeq;
        private volatile long peerMessages;
        private volatile long gaps;
        private volatile long disorder;
        private volatile long acks;
        private volatile long errors;
        private volatile String firstError;

        SocketState(int index, Recorder latency, LongAdder delivered, AtomicLong lastDelivery) {
            this.index = index;
            this.latency = latency;
            this.delivered = delivered;
            this.lastDelivery = lastDelivery;
        }

        void received(String frame) {
            long now = System.nanoTime();
            if (frame.startsWith("{\"type\":\"message\"")) {
                long seq = Stats.longAfter(frame, "\"seq\":");
                if (seq == lastSeq + 1) {
                    lastSeq = seq;
                }
                else if (seq <= lastSeq) {
                    disorder++;
                }
                else {
                    gaps++;
                    lastSeq = seq;
                }
                int text = frame.lastIndexOf("\"text\":\"") + 8;
                int colon = frame.indexOf(':', text);
                int sender = Integer.parseInt(frame, text, colon, 10);
                if (sender != index) {
                    int second = frame.indexOf(':', colon + 1);
                    long intended = Long.parseLong(frame, second + 1, frame.indexOf(' ', second), 10);
                    latency.recordValue(Math.max(0, (now - intended) / 1000));
                    peerMessages++;
                    delivered.increment();
                    lastDelivery.accumulateAndGet(now, Math::max);
                }
            }
            else if (frame.startsWith("{\"type\":\"ack\"")) {
                acks++;
            }
            else if (frame.startsWith("{\"type\":\"error\"")) {
                errors++;
                if (firstError == null) {
                    firstError = frame;
                }
            }
        }
    }
}
