package dev.randomchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.randomchat.bench.infra.RedisProbe;
import dev.randomchat.bench.infra.Report;
import dev.randomchat.bench.infra.Services;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.scenario.Arrivals;
import dev.randomchat.bench.scenario.Baselines;
import dev.randomchat.bench.scenario.Baselines.Reference;
import dev.randomchat.bench.scenario.IdleMatched;
import dev.randomchat.bench.scenario.Matching;
import dev.randomchat.bench.scenario.Relay;

/**
 * The rows on which the closest open-source peer (go-random-chat, measured on this kind of
 * machine) was ahead, each measured here with its target: relay tail latency on a single Redis
 * and on a 3-master Cluster, time to match with visitors connecting at arrival, server CPU per
 * pair in both matching modes, idle CPU and RSS with idle matched sockets, and reconnects the
 * Cluster server logged without any outage.
 */
final class PeerRows {

    /** Relay rates of the comparison, messages/s, each one step of {@code relaySeconds}. */
    static final int[] RELAY_RATES = {1_000, 2_000, 5_000};
    /** Matching rates of the CPU-per-pair rows, pairs/s; the last one is the time-to-match row. */
    static final int[] PAIR_RATES = {200, 500};
    /** Matching warm-up: two rounds at least, four at most, until the JIT compilers' share is under this. */
    private static final int MIN_WARM_UP_ROUNDS = 2;
    private static final int MAX_WARM_UP_ROUNDS = 4;
    private static final double SETTLED_JIT_SHARE = 0.015;
    static final int[] IDLE_LEVELS = Arrays.stream(System.getProperty("bench.peerIdleLevels", "1000,5000")
            .split(",")).mapToInt(Integer::parseInt).toArray();
    static final int RELAY_PAIRS = 50;
    /** The server's channel deadlines ({@code GoneDeadlines}), and how long the relay rows wait for them. */
    private static final String GONE_DEADLINES = "rc:{gone}:due";
    private static final Duration DEADLINES_WAIT = Duration.ofSeconds(90);
    /** What a user runs: the log line the server writes when it believes Redis came back. */
    private static final String RECONNECT_LINE = "Redis connection re-established";
    /** The run length for the false-reconnect row. */
    private static final Duration RECONNECT_WINDOW = Duration.ofMinutes(5).plusSeconds(2);

    private final double relaySeconds;
    private final double matchSeconds;
    private final Duration idleWindow;
    final List<Map<String, Object>> relaySingle = new ArrayList<>();
    final List<Map<String, Object>> relayCluster = new ArrayList<>();
    final List<Map<String, Object>> arrivals = new ArrayList<>();
    final List<Map<String, Object>> preConnected = new ArrayList<>();
    /** The bare echo server under the same arrivals, one step per rate: the machine's share. */
    final List<Map<String, Object>> echoArrivals = new ArrayList<>();
    /** The bare pairing route under the same arrivals: the least pairing through Redis costs here. */
    final List<Map<String, Object>> pairingArrivals = new ArrayList<>();
    Map<String, Object> idle;
    long clusterReconnects = -1;
    long clusterServerSeconds;

    PeerRows(double relaySeconds, double matchSeconds, Duration idleWindow) {
        this.relaySeconds = relaySeconds;
        this.matchSeconds = matchSeconds;
        this.idleWindow = idleWindow;
    }

    /**
     * The relay rows of one server: first its earlier rows' channel deadlines are let run out
     * ({@link #awaitNoDeadlines}), then unmeasured rounds of the measured steps
     * ({@link #warmUpRelay}), then the measured steps.
     */
    void relay(Report report, Relay relay, Service server, List<RedisProbe> redis, boolean cluster) {
        awaitNoDeadlines(report, redis, cluster);
        warmUpRelay(report, relay, server, cluster);
        for (int rate : RELAY_RATES) {
            Report.note("peer rows: relay on " + (cluster ? "a 3-master Cluster" : "a single Redis") + ", " + rate
                    + " msgs/s for " + relaySeconds + " s");
            if (Boolean.getBoolean("bench.gcBeforeRelay")) {
                Services.collect(server);
            }
            Map<String, Object> step = relay.step(List.of(server), RELAY_PAIRS, rate, relaySeconds);
            step.put("redis", cluster ? "cluster" : "single");
            report.line("peer-relay", step);
            (cluster ? relayCluster : relaySingle).add(step);
            BenchRun.quiet(server);
        }
    }

    /**
     * Unmeasured rounds of the measured relay steps (each rate for half a step), until the JIT
     * compilers take under {@link #SETTLED_JIT_SHARE} of every step's server CPU (two rounds at
     * least, four at most). After a warm-up at 4,000 msgs/s only, the first measured step (1k
     * msgs/s) still had C2 at work in one run in two: 14.5 and 51.5 us of server CPU per message
     * where the other runs had 5.5-6.5 and 32.5, and its p999 over the line (bench/RESULTS.md).
     */
    private void warmUpRelay(Report report, Relay relay, Service server, boolean cluster) {
        List<List<Double>> jitShares = new ArrayList<>();
        for (int round = 1; round <= MAX_WARM_UP_ROUNDS; round++) {
            List<Double> shares = new ArrayList<>();
            for (int rate : RELAY_RATES) {
                Report.note("peer rows: relay warm-up round " + round + " on " + (cluster ? "the Cluster" : "a single Redis")
                        + ", " + rate + " msgs/s (not measured)");
                Map<String, Object> step = relay.step(List.of(server), RELAY_PAIRS, rate, relaySeconds / 2);
                shares.add(Math.round(1000 * relayJitShare(step, server)) / 1000.0);
                BenchRun.quiet(server);
            }
            jitShares.add(shares);
            if (round >= MIN_WARM_UP_ROUNDS && shares.stream().allMatch(share -> share < SETTLED_JIT_SHARE)) {
                break;
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("redis", cluster ? "cluster" : "single");
        line.put("msgsPerSec", Arrays.stream(RELAY_RATES).boxed().toList());
        line.put("jitShareOfServerCpuPerRound", jitShares);
        line.put("settled", jitShares.get(jitShares.size() - 1).stream().allMatch(share -> share < SETTLED_JIT_SHARE));
        report.line("peer-relay-warm-up", line);
    }

    /** The JIT compilers' share of a relay step's server CPU. */
    private static double relayJitShare(Map<String, Object> step, Service server) {
        return jitShare(Summary.num((Map<?, ?>) step.get("cpuUsPerMessage"), server.name()),
                ((Number) step.get(server.name() + "CpuUsPerMessageWithoutJit")).doubleValue());
    }

    /**
     * Waits (at most {@link #DEADLINES_WAIT}) until no channel deadline is pending in Redis
     * ({@code rc:{gone}:due}): the matching warm-up's thousands of channels, whose sockets closed,
     * end {@code PEER_GONE_SECONDS} (45 s) later, and about 8,400 background script runs then fell
     * inside each of the first measured relay steps. A measured step carries its own rows' work.
     */
    private static void awaitNoDeadlines(Report report, List<RedisProbe> redis, boolean cluster) {
        long began = System.nanoTime();
        long deadline = began + DEADLINES_WAIT.toNanos();
        long pending = pendingDeadlines(redis);
        long first = pending;
        if (pending > 0) {
            Report.note("peer rows: waiting for " + pending + " channel deadlines in " + (cluster ? "the Cluster" : "Redis")
                    + " to run out (at most " + DEADLINES_WAIT.toSeconds() + " s)");
        }
        while (pending > 0 && System.nanoTime() < deadline) {
            Baselines.sleep(Duration.ofMillis(500));
            pending = pendingDeadlines(redis);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("redis", cluster ? "cluster" : "single");
        line.put("pendingAtFirst", first);
        line.put("pendingAtEnd", pending);
        line.put("waitedSeconds", Math.round((System.nanoTime() - began) / 1e8) / 10.0);
        report.line("peer-relay-deadlines", line);
    }

    private static long pendingDeadlines(List<RedisProbe> redis) {
        return redis.stream().mapToLong(probe -> probe.sortedSetSize(GONE_DEADLINES)).sum();
    }

    void matching(Report report, Service server, Service redis, RedisProbe probe, int maxVisitors, Service echo) {
        warmUpMatching(server, redis, probe, maxVisitors, echo, report);
        for (int rate : PAIR_RATES) {
            Report.note("peer rows: matching, connect at arrival, " + rate + " pairs/s");
            Map<String, Object> step = new Arrivals(redis).step(server, rate, matchSeconds);
            report.line("peer-matching-arrival", step);
            arrivals.add(step);
            BenchRun.departed(server);
            Report.note("peer rows: matching, sockets already open, " + rate + " pairs/s");
            Map<String, Object> open = new Matching(probe, redis).step(server, rate, maxVisitors, matchSeconds);
            open.put("mode", "pre-connected");
            report.line("peer-matching-preconnected", open);
            preConnected.add(open);
            BenchRun.departed(server);
            Report.note("peer rows: the bare echo server, the same arrivals, " + rate + " pairs/s");
            Map<String, Object> reference = Baselines.referenceArrivals(echo, Reference.ECHO, rate, matchSeconds);
            report.line("peer-matching-echo-reference", reference);
            echoArrivals.add(reference);
            Report.note("peer rows: the bare pairing route, the same arrivals, " + rate + " pairs/s");
            Map<String, Object> pairing = Baselines.referenceArrivals(echo, Reference.PAIRING, rate, matchSeconds);
            report.line("peer-matching-pairing-reference", pairing);
            pairingArrivals.add(pairing);
        }
    }

    /**
     * Unmeasured rounds of the measured matching steps (both modes at every rate, then the two
     * references, in the same order), until the JIT compilers take under {@link #SETTLED_JIT_SHARE}
     * of every chat step's server CPU in a round (two rounds at least, four at most). After minutes
     * of relay steps C2 compiled the arrival path again inside the first measured step (425 and 688
     * us per pair of it at 200 pairs/s, bench/RESULTS.md); after rounds at 500 pairs/s only, it still took 88-450 us per pair
     * there: the event loop's own method ({@code EpollIoHandler.run}) hit an uncommon trap in the
     * half minute the server idled while the references warmed up, and C2 compiled it again inside
     * the 200 pairs/s step (seen in a compilation log). The rows measure a server that has served
     * this load, with these pauses, before.
     */
    private void warmUpMatching(Service server, Service redis, RedisProbe probe, int maxVisitors, Service echo,
            Report report) {
        List<Double> jitShares = new ArrayList<>();
        for (int round = 1; round <= MAX_WARM_UP_ROUNDS; round++) {
            double share = 0;
            for (int rate : PAIR_RATES) {
                Report.note("peer rows: matching warm-up round " + round + ", both modes at " + rate
                        + " pairs/s (not measured)");
                Map<String, Object> arrival = new Arrivals(redis).step(server, rate, matchSeconds);
                BenchRun.departed(server);
                Map<String, Object> open = new Matching(probe, redis).step(server, rate, maxVisitors, matchSeconds);
                BenchRun.departed(server);
                share = Math.max(share, Math.max(jitShare(arrival), jitShare(open)));
                // The references' paths are compiled before their first measured step too.
                for (Reference kind : Reference.values()) {
                    Baselines.referenceArrivals(echo, kind, rate, matchSeconds);
                }
            }
            jitShares.add(Math.round(1000 * share) / 1000.0);
            if (round >= MIN_WARM_UP_ROUNDS && share < SETTLED_JIT_SHARE) {
                break;
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("pairsPerSec", Arrays.stream(PAIR_RATES).boxed().toList());
        line.put("jitShareOfServerCpuPerRound", jitShares);
        line.put("settled", jitShares.get(jitShares.size() - 1) < SETTLED_JIT_SHARE);
        report.line("peer-matching-warm-up", line);
    }

    /** The JIT compilers' share of a matching step's server CPU. */
    private static double jitShare(Map<String, Object> step) {
        return jitShare(Summary.num((Map<?, ?>) step.get("cpuUsPerPair"), "server"),
                ((Number) step.get("serverCpuUsPerPairWithoutJit")).doubleValue());
    }

    /** What the JIT compilers took of {@code all}, given the same CPU counted without them. */
    private static double jitShare(double all, double withoutJit) {
        return all > 0 ? Math.max(0, 1 - withoutJit / all) : 0;
    }

    void idle(Report report, Service server, Service redis, RedisProbe probe) throws Exception {
        Report.note("peer rows: " + IDLE_LEVELS[IDLE_LEVELS.length - 1] + " idle matched sockets on a server started "
                + "as ./run.sh starts it; CPU over " + idleWindow.toSeconds() + " s");
        idle = IdleMatched.measure(server, redis, probe, IDLE_LEVELS, idleWindow);
        report.line("peer-idle", idle);
    }

    /**
     * Counts the reconnects the Cluster server logged over its whole life in this run, which is
     * first made at least five minutes long (ten topology refreshes): the rows before may take less.
     */
    void reconnects(Report report, Service clusterServer, long startedNanos) throws IOException {
        Duration lived = Duration.ofNanos(System.nanoTime() - startedNanos);
        if (lived.compareTo(RECONNECT_WINDOW) < 0) {
            Report.note("peer rows: the Cluster server has run " + lived.toSeconds() + " s; waiting until "
                    + RECONNECT_WINDOW.toSeconds() + " s before counting its reconnects");
            Baselines.sleep(RECONNECT_WINDOW.minus(lived));
        }
        clusterServerSeconds = Math.round((System.nanoTime() - startedNanos) / 1e9);
        clusterReconnects = Files.readAllLines(clusterServer.log()).stream().filter(l -> l.contains(RECONNECT_LINE))
                .count();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("reconnectsLogged", clusterReconnects);
        line.put("seconds", clusterServerSeconds);
        report.line("peer-cluster-reconnects", line);
    }

    String markdown(Map<String, Object> machine) {
        StringBuilder md = new StringBuilder();
        md.append("### Against the Go peer (issue 21)\n\n");
        md.append("Servers started as `./run.sh` starts them (`java ").append(machine.get("serverJvm"))
                .append(" -jar`, Java ").append(machine.get("serverJava")).append("); relay steps of ")
                .append(fmt(relaySeconds)).append(" s, ").append(RELAY_PAIRS)
                .append(" pairs on one server; the Cluster is 3 masters. Peer figures: go-random-chat on this kind of "
                        + "machine.\n\n");
        md.append("| row | peer | target | measured | met |\n|---|---|---|---|---|\n");
        String[] peerP999 = {"5.0", "6.8", "15.8"};
        for (String mode : List.of("single", "cluster")) {
            List<Map<String, Object>> steps = mode.equals("single") ? relaySingle : relayCluster;
            for (int i = 0; i < RELAY_RATES.length; i++) {
                Map<String, Object> step = at(steps, RELAY_RATES[i]);
                double p99 = step == null ? Double.NaN : Summary.num((Map<?, ?>) step.get("latency"), "p99Ms");
                double p999 = step == null ? Double.NaN : Summary.num((Map<?, ?>) step.get("latency"), "p999Ms");
                double p999Target = RELAY_RATES[i] == 5_000 ? 15 : 6;
                boolean p99Row = RELAY_RATES[i] == 1_000;
                boolean met = p999 <= p999Target && (!p99Row || p99 <= 3) && clean(step);
                md.append("| relay p99 / p999 at ").append(k(RELAY_RATES[i])).append(" msgs/s, ")
                        .append(mode.equals("single") ? "single Redis" : "Redis Cluster").append(" | ")
                        .append(p99Row ? "2.7 / " : "? / ").append(peerP999[i]).append(" ms | ")
                        .append(p99Row ? "p99 <= 3, " : "").append("p999 <= ").append(fmt(p999Target))
                        .append(" ms, nothing lost | ").append(ms(p99)).append(" / ").append(ms(p999)).append(" ms")
                        .append(step == null ? "" : "; delivered " + step.get("deliveredPerSec") + "/s, lost "
                                + step.get("lost") + ", reordered " + step.get("reordered"))
                        .append(" | ").append(yes(met)).append(" |\n");
            }
        }
        md.append("| false reconnects on a Cluster | ? | 0 in a 5-minute run | ").append(clusterReconnects)
                .append(" in ").append(clusterServerSeconds).append(" s of the Cluster server's life | ")
                .append(yes(clusterReconnects == 0 && clusterServerSeconds >= 300)).append(" |\n");
        Map<String, Object> ttm = at500(arrivals);
        double ttmP99 = ttm == null ? Double.NaN : Summary.num((Map<?, ?>) ttm.get("timeToMatch"), "p99Ms");
        double fromFrame = ttm == null ? Double.NaN : Summary.num((Map<?, ?>) ttm.get("timeFromMatchFrame"), "p99Ms");
        md.append("| time to match p99 at 500 pairs/s, connect at arrival | 7.7 ms | <= 8 ms from the arrival | ")
                .append(ms(ttmP99)).append(" ms from the arrival (connect, hello, match); ").append(ms(fromFrame))
                .append(" ms from the `match` frame | ").append(yes(ttmP99 <= 8 && sustained(ttm))).append(" |\n");
        for (int i = 0; i < PAIR_RATES.length; i++) {
            double arrival = cpu(arrivals, i);
            double open = cpu(preConnected, i);
            md.append("| server CPU per pair at ").append(PAIR_RATES[i]).append(" pairs/s | 1,063-1,483 us | <= ")
                    .append("964 us (0.8 x 1,205) in both modes; pre-connected <= connect at arrival | ")
                    .append(fmt(arrival)).append(" us at arrival, ").append(fmt(open)).append(" us pre-connected | ")
                    .append(yes(arrival <= 964 && open <= 964 && open <= arrival)).append(" |\n");
        }
        referenceRow(md, "the bare echo server (Reactor Netty, the same JVM options), the same arrivals "
                + "(connect, one frame echoed), CPU per pair", echoArrivals);
        referenceRow(md, "the bare pairing route (the same server; hello, match, one Redis script per visitor, "
                + "matched; Lettuce on its event loops), the same arrivals, CPU per pair", pairingArrivals);
        Map<String, Object> idleRow = idle == null ? Map.of() : idle;
        double server = Summary.num(idleRow, "serverCores");
        double redis = Summary.num(idleRow, "redisCores");
        md.append("| idle CPU, ").append(idleRow.getOrDefault("idleSockets", "?"))
                .append(" idle matched sockets, over ").append(idleRow.getOrDefault("windowSeconds", "?"))
                .append(" s | <= 0.01 core | <= 0.01 core server, <= 0.01 core Redis | ")
                .append(cores(server)).append(" server (").append(idleRow.getOrDefault("serverCoresPer1kSockets", "?"))
                .append(" per 1k sockets; ").append(idleRow.getOrDefault("serverCoresWithoutJit", "?"))
                .append(" without the JIT compilers), ").append(cores(redis)).append(" Redis (")
                .append(idleRow.getOrDefault("redisCoresPer1kSockets", "?")).append(" per 1k) | ")
                .append(yes(server <= 0.01 && redis <= 0.01)).append(" |\n");
        double rss1k = rss(idleRow, 0);
        double rss5k = rss(idleRow, 1);
        md.append("| total RSS at 1k / 5k idle sockets, default start (1k once settled, 5k after the idle window) "
                + "| 64 / 222 MiB | 5k: <= 300 MiB | ")
                .append(fmt(rss1k)).append(" / ").append(fmt(rss5k)).append(" MiB | ").append(yes(rss5k <= 300))
                .append(" |\n\n");
        return md.toString();
    }

    private static boolean clean(Map<String, Object> step) {
        return step != null && Summary.num(step, "lost") == 0 && Summary.num(step, "reordered") == 0
                && Summary.num(step, "seqGaps") == 0;
    }

    private static boolean sustained(Map<String, Object> step) {
        return step != null && Boolean.TRUE.equals(step.get("sustained"));
    }

    private static Map<String, Object> at(List<Map<String, Object>> steps, int rate) {
        return steps.stream().filter(step -> Summary.num(step, "offeredPerSec") == rate).findFirst().orElse(null);
    }

    private static Map<String, Object> at500(List<Map<String, Object>> steps) {
        return steps.stream().filter(step -> Summary.num(step, "offeredPairsPerSec") == 500).findFirst().orElse(null);
    }

    private static void referenceRow(StringBuilder md, String what, List<Map<String, Object>> steps) {
        md.append("| for reference, not a target: ").append(what).append(" | | | ");
        for (int i = 0; i < PAIR_RATES.length; i++) {
            double reference = steps.size() <= i ? Double.NaN : Summary.num(steps.get(i), "serverCpuUsPerPair");
            md.append(i == 0 ? "" : ", ").append(fmt(reference)).append(" us at ").append(PAIR_RATES[i]).append(" pairs/s");
        }
        md.append(" | |\n");
    }

    private static double cpu(List<Map<String, Object>> steps, int index) {
        return steps.size() <= index ? Double.NaN : Summary.num((Map<?, ?>) steps.get(index).get("cpuUsPerPair"), "server");
    }

    @SuppressWarnings("unchecked")
    private static double rss(Map<String, Object> idle, int level) {
        List<Map<String, Object>> samples = (List<Map<String, Object>>) idle.get("samples");
        if (samples == null || samples.size() <= level) {
            return Double.NaN;
        }
        // The last level is read again after the idle window (the steady state) when it was.
        Map<String, Object> sample = samples.get(level);
        return sample.containsKey("rssAfterWindowMb") ? Summary.num(sample, "rssAfterWindowMb") : Summary.num(sample, "rssMb");
    }

    private static String k(int rate) {
        return rate / 1000 + "k";
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String cores(double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%.4f core", value);
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String yes(boolean met) {
        return met ? "**met**" : "**not met**";
    }

    /** The Cluster's nodes, each with its own probe for command statistics. */
    static List<RedisProbe> probes(List<Service> nodes) {
        return nodes.stream().map(node -> new RedisProbe(node.port())).toList();
    }
}
