package dev.randomchat.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The markdown summary of a run: what was measured, the ratios, and each target met or not. */
final class Summary {

    private final Plan plan;
    private final Map<String, Object> machine;
    private final List<Map<String, Object>> echoRuns;
    private final List<Map<String, Object>> relayOne;
    private final List<Map<String, Object>> relayTwo;
    private final List<Map<String, Object>> matching;
    private final Map<String, Object> redisPublish;
    private final Map<String, Object> hop;
    private final Map<String, Object> idleApp;
    private final Map<String, Object> idleBare;
    private final Map<String, Object> end;
    private final StringBuilder md = new StringBuilder();

    Summary(Plan plan, Map<String, Object> machine, List<Map<String, Object>> echoRuns,
            List<Map<String, Object>> relayOne, List<Map<String, Object>> relayTwo, List<Map<String, Object>> matching,
            Map<String, Object> redisPublish, Map<String, Object> hop, Map<String, Object> idleApp,
            Map<String, Object> idleBare, Map<String, Object> end) {
        this.plan = plan;
        this.machine = machine;
        this.echoRuns = echoRuns;
        this.relayOne = relayOne;
        this.relayTwo = relayTwo;
        this.matching = matching;
        this.redisPublish = redisPublish == null ? Map.of() : redisPublish;
        this.hop = hop == null ? Map.of() : hop;
        this.idleApp = idleApp == null ? Map.of() : idleApp;
        this.idleBare = idleBare == null ? Map.of() : idleBare;
        this.end = end;
    }

    String markdown() {
        double echo = echoRuns.stream().mapToDouble(r -> num(r, "roundTripsPerSec")).average().orElse(0);
        line("## Benchmark run (" + plan.name() + ")");
        line("");
        line("Machine: " + machine.get("cpu") + ", " + machine.get("cores") + " cores; load average "
                + end.get("loadAverageBefore") + " before, " + end.get("loadAverageAfter") + " after; "
                + end.get("seconds") + " s; servers `java " + machine.get("serverHeap") + " -jar`, Java "
                + machine.get("serverJava") + " (load generator: Java " + machine.get("java") + ").");
        line("");
        line("### Baselines");
        line("");
        line("| baseline | figure |");
        line("|---|---|");
        StringBuilder runs = new StringBuilder();
        for (Map<String, Object> run : echoRuns) {
            runs.append(runs.length() == 0 ? "" : ", ").append(fmt(num(run, "roundTripsPerSec")));
        }
        line("| raw Reactor Netty websocket echo | " + fmt(echo) + " round trips/s (runs: " + runs + ") |");
        line("| redis-benchmark PUBLISH (50 clients, unpipelined) | " + fmt(num(redisPublish, "publishPerSec"))
                + " /s |");
        line("| Lettuce Pub/Sub one-way hop at " + fmt(num(hop, "ratePerSec")) + "/s | p50 " + hop.get("p50Us")
                + " us, p99 " + hop.get("p99Us") + " us, p999 " + hop.get("p999Us") + " us |");
        line("| bare Reactor Netty idle websocket | " + kb(num(idleBare, "heapBytesPerConnection")) + " heap, "
                + kb(num(idleBare, "rssBytesPerConnection")) + " RSS per connection |");
        line("");
        relayTable("### Relay, 1 server", relayOne);
        relayTable("### Relay, 2 servers, every message crosses servers", relayTwo);
        line("### Matching (pre-connected visitors, 1 server)");
        line("");
        line("| offered pairs/s | visitors | made pairs/s | time to match p50 / p99 (ms) | matched exactly once | CPU us/pair: server (without JIT) / Redis / load generator | sustained |");
        line("|---|---|---|---|---|---|---|");
        for (Map<String, Object> step : matching) {
            Map<?, ?> ttm = (Map<?, ?>) step.get("timeToMatch");
            Map<?, ?> cpu = (Map<?, ?>) step.get("cpuUsPerPair");
            line("| " + fmt(num(step, "offeredPairsPerSec")) + " | " + step.get("visitors") + " | "
                    + fmt(num(step, "pairsPerSec")) + " | " + ttm.get("p50Ms") + " / " + ttm.get("p99Ms") + " | "
                    + step.get("everyVisitorMatchedExactlyOnce") + " | " + cpu.get("server")
                    + " (" + step.get("serverCpuUsPerPairWithoutJit") + ") / " + cpu.get("redis") + " / "
                    + cpu.get("benchClient") + " | " + step.get("sustained") + " |");
        }
        line("");
        line("### Idle capacity (slope over " + plan.idleLevels()[0] + ".."
                + plan.idleLevels()[plan.idleLevels().length - 1] + " connections, after a full GC)");
        line("");
        line("| server | heap per connection | RSS per connection |");
        line("|---|---|---|");
        line("| chat server | " + kb(num(idleApp, "heapBytesPerConnection")) + " (r² " + idleApp.get("heapR2") + ") | "
                + kb(num(idleApp, "rssBytesPerConnection")) + " |");
        line("| bare Reactor Netty | " + kb(num(idleBare, "heapBytesPerConnection")) + " (r² " + idleBare.get("heapR2")
                + ") | " + kb(num(idleBare, "rssBytesPerConnection")) + " |");
        line("");
        targets(echo);
        return md.toString();
    }

    private void relayTable(String title, List<Map<String, Object>> steps) {
        line(title);
        line("");
        line("| offered msgs/s | delivered msgs/s | p50 / p99 / p999 (ms) | lost | gaps | reordered | CPU us/msg: servers+Redis (server1 without JIT) / Redis / load generator | EVALSHA/msg | sustained |");
        line("|---|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> step : steps) {
            Map<?, ?> latency = (Map<?, ?>) step.get("latency");
            Map<?, ?> cpu = (Map<?, ?>) step.get("cpuUsPerMessage");
            line("| " + fmt(num(step, "offeredPerSec")) + " | " + fmt(num(step, "deliveredPerSec")) + " | "
                    + latency.get("p50Ms") + " / " + latency.get("p99Ms") + " / " + latency.get("p999Ms") + " | "
                    + step.get("lost") + " | " + step.get("seqGaps") + " | " + step.get("reordered") + " | "
                    + cpu.get("serversPlusRedis") + " (" + step.get("server1CpuUsPerMessageWithoutJit") + ") / "
                    + cpu.get("redis") + " / " + cpu.get("benchClient") + " | "
                    + step.get("evalshaPerMessage") + " | "
                    + step.get("sustained") + " |");
        }
        line("");
    }

    private void targets(double echo) {
        line("### Targets");
        line("");
        line("| target | measured | met |");
        line("|---|---|---|");
        double one = maxSustained(relayOne);
        Map<String, Object> at5k = stepAt(relayOne, 5_000);
        double p99At5k = at5k == null ? Double.NaN : num((Map<?, ?>) at5k.get("latency"), "p99Ms");
        boolean relayMet = one >= 0.2 * echo && p99At5k < 10;
        line("| relay, 1 server: max sustained >= 0.2 x echo, p99 < 10 ms at 5k msgs/s | " + fmt(one) + " msgs/s = "
                + ratio(one, echo) + " x echo (" + fmt(echo) + "); p99 at 5k: " + p99At5k + " ms | " + yes(relayMet)
                + " |");
        double two = maxSustained(relayTwo);
        line("| relay, 2 servers all crossing >= 0.75 x 1 server | " + fmt(two) + " msgs/s = " + ratio(two, one)
                + " x | " + yes(two >= 0.75 * one && one > 0) + " |");
        Map<String, Object> fanOut = at5k != null ? at5k : relayOne.isEmpty() ? null : relayOne.get(0);
        double evalsha = fanOut == null ? Double.NaN : num(fanOut, "evalshaPerMessageHotPath");
        line("| one Redis command (EVALSHA) per chat message | " + evalsha + " EVALSHA per message on the hot path at "
                + (fanOut == null ? "?" : fmt(num(fanOut, "offeredPerSec"))) + " msgs/s ("
                + (fanOut == null ? "?" : fanOut.get("evalshaPerMessage")) + " with "
                + (fanOut == null ? "?" : fanOut.get("backgroundEvalshaPresenceTicks"))
                + " presence.lua lease renewals); commands run inside presence.lua and by the bench: "
                + (fanOut == null ? "?" : fanOut.get("otherTopLevelCommands")) + "; inside send.lua per message: "
                + (fanOut == null ? "?" : fanOut.get("insideSendLuaPerMessage")) + " | "
                + yes(Math.abs(evalsha - 1) <= 0.001) + " |");
        double app = num(idleApp, "heapBytesPerConnection");
        double bare = num(idleBare, "heapBytesPerConnection");
        line("| idle heap per connection <= 2 x bare Reactor Netty | " + kb(app) + " vs " + kb(bare) + " = "
                + ratio(app, bare) + " x | " + yes(app <= 2 * bare) + " |");
        Map<String, Object> bestMatch = null;
        for (Map<String, Object> step : matching) {
            if ((boolean) step.get("sustained")) {
                bestMatch = step;
            }
        }
        double pairs = bestMatch == null ? 0 : num(bestMatch, "offeredPairsPerSec");
        double p99 = bestMatch == null ? Double.NaN : num((Map<?, ?>) bestMatch.get("timeToMatch"), "p99Ms");
        boolean once = matching.stream().allMatch(step -> (boolean) step.get("everyVisitorMatchedExactlyOnce"));
        line("| matching >= 5k pairs/s, p99 time to match < 20 ms | max sustained " + fmt(pairs) + " pairs/s "
                + "(made " + (bestMatch == null ? "?" : fmt(num(bestMatch, "pairsPerSec"))) + "/s), p99 " + p99
                + " ms; every visitor matched exactly once in every step: " + once + " | "
                + yes(pairs >= 5_000 && p99 < 20) + " |");
        line("| no loss, no reordering | lost " + sum("lost") + ", seq gaps " + sum("seqGaps") + ", reordered "
                + sum("reordered") + " over all relay steps | " + yes(sum("lost") + sum("seqGaps")
                + sum("reordered") == 0) + " |");
        line("");
        line("A relay step is sustained when every message arrives in order (no loss, gap or repeat), at least "
                + Math.round(100 * 0.95) + "% of the offered rate is delivered and p99 stays under 50 ms; two "
                + "unsustained steps in a row end the series. Latencies run from the intended send time (open loop).");
    }

    private long sum(String field) {
        long total = 0;
        for (List<Map<String, Object>> steps : List.of(relayOne, relayTwo)) {
            for (Map<String, Object> step : steps) {
                total += (long) num(step, field);
            }
        }
        return total;
    }

    private static double maxSustained(List<Map<String, Object>> steps) {
        double best = 0;
        for (Map<String, Object> step : steps) {
            if ((boolean) step.get("sustained")) {
                best = Math.max(best, num(step, "offeredPerSec"));
            }
        }
        return best;
    }

    private static Map<String, Object> stepAt(List<Map<String, Object>> steps, int rate) {
        return steps.stream().filter(step -> num(step, "offeredPerSec") == rate).findFirst().orElse(null);
    }

    static double num(Map<?, ?> map, String key) {
        Object value = map == null ? null : map.get(key);
        return value instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "?" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String kb(double bytes) {
        return Double.isNaN(bytes) ? "?" : String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
    }

    private static String ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? "?" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String yes(boolean met) {
        return met ? "**met**" : "**not met**";
    }

    private void line(String text) {
        md.append(text).append('\n');
    }
}
