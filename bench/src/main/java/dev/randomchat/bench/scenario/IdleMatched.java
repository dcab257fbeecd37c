package dev.randomchat.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Clients.Guest;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.OpenLoop;
import dev.randomchat.bench.infra.RedisProbe;
import dev.randomchat.bench.infra.Report;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/**
 * Idle matched sockets on a server started as a user starts it: visitors connect and match in
 * pairs, then do nothing. At each level, once the server has settled, its RSS (no forced GC: what
 * the OS sees), and at the last level the CPU the server and Redis spend over a window while
 * nothing happens, per 1,000 sockets, and the RSS again at the window's end. The websocket ping every {@code WS_PING_SECONDS} (25 s) is part of idle, so the window
 * is at least one ping period.
 */
public final class IdleMatched {

    /** Matches sent per second while pairing (the queue pairs consecutive arrivals). */
    private static final int MATCH_RATE = 1_000;
    private static final Duration PAIRING_WAIT = Duration.ofSeconds(60);
    /** After pairing: the last presence and match scripts finish, the JIT settles. */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration SETTLE_AT_MOST = Duration.ofSeconds(120);
    /** Seconds in a row the server must stay quiet before the window: C2 compiles in bursts. */
    private static final int QUIET_SECONDS = 10;

    private IdleMatched() {
    }

    /**
     * @param levels socket counts (even) at which RSS is read; the CPU window runs at the last one
     * @param window how long the CPU is measured at the last level
     */
    public static Map<String, Object> measure(Service server, Service redis, RedisProbe probe, int[] levels,
            Duration window) throws Exception {
        int most = levels[levels.length - 1];
        List<Guest> guests = Clients.guests(server.baseUrl(), most);
        List<Ws> sockets = new ArrayList<>();
        List<Map<String, Object>> samples = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            for (int level : levels) {
                int from = sockets.size();
                List<Ws> more = Clients.connect(level - from, i -> Clients.wsUri(server.port(), from + i, "/ws"),
                        i -> guests.get(from + i).token(), true);
                sockets.addAll(more);
                pairUp(more);
                Baselines.sleep(SETTLE);
                settle(server);
                Map<String, Object> sample = new LinkedHashMap<>();
                sample.put("sockets", sockets.stream().filter(Ws::isOpen).count());
                sample.put("rssMb", Stats.round(Machine.rssBytes(server.pid()) / 1048576.0, 1));
                samples.add(sample);
                Report.note(server.name() + " idle matched: " + sample);
            }
            // The load generator's own collection before the window, not in it (it shares the cores).
            Machine.collectLoadGenerator();
            long[] machineBefore = Machine.machineCpuMicros();
            long selfBefore = Machine.cpuMicros(Machine.selfPid());
            long serverBefore = Machine.cpuMicros(server.pid());
            long redisBefore = Machine.cpuMicros(redis.pid());
            Map<String, Long> threadsBefore = Machine.threadCpuMicros(server.pid());
            Map<String, long[]> commandsBefore = probe.commandStats();
            long began = System.nanoTime();
            Baselines.sleep(window);
            double seconds = (System.nanoTime() - began) / 1e9;
            long serverUs = Machine.cpuMicros(server.pid()) - serverBefore;
            long redisUs = Machine.cpuMicros(redis.pid()) - redisBefore;
            long selfUs = Machine.cpuMicros(Machine.selfPid()) - selfBefore;
            long[] machineAfter = Machine.machineCpuMicros();
            Map<String, Long> threadsAfter = Machine.threadCpuMicros(server.pid());
            Map<String, long[]> commands = RedisProbe.delta(commandsBefore, probe.commandStats());
            long open = sockets.stream().filter(Ws::isOpen).count();
            double thousands = Math.max(1, open) / 1000.0;
            // What the OS sees after the sockets sat idle for the whole window: the steady state.
            samples.get(samples.size() - 1).put("rssAfterWindowMb", Stats.round(Machine.rssBytes(server.pid()) / 1048576.0, 1));
            out.put("server", server.name());
            out.put("samples", samples);
            out.put("idleSockets", open);
            out.put("windowSeconds", Stats.round(seconds, 1));
            out.put("serverCores", Stats.round(serverUs / 1e6 / seconds, 4));
            out.put("redisCores", Stats.round(redisUs / 1e6 / seconds, 4));
            out.put("serverCoresPer1kSockets", Stats.round(serverUs / 1e6 / seconds / thousands, 5));
            out.put("redisCoresPer1kSockets", Stats.round(redisUs / 1e6 / seconds / thousands, 5));
            out.put("serverCpuByThreadUsPerSec", Machine.threadCpuPer(threadsBefore, threadsAfter, seconds));
            // The JIT may still compile a burst in the window: shown apart, not taken out of the row.
            out.put("serverCoresWithoutJit", Stats.round(Machine.withoutJitPer(threadsBefore, threadsAfter, 1) / 1e6 / seconds, 4));
            // What else ran meanwhile: on 2 shared cores it slows the server's own work (caches, the
            // sibling hyperthread), so the same idle server reads 0.007-0.012 core from run to run.
            out.put("loadGeneratorCores", Stats.round(selfUs / 1e6 / seconds, 4));
            out.put("machineBusyCores", Stats.round((machineAfter[0] - machineBefore[0]) / 1e6 / seconds, 4));
            out.put("machineStolenCores", Stats.round((machineAfter[1] - machineBefore[1]) / 1e6 / seconds, 4));
            // What Redis was asked while nothing happened (INFO is this bench's own).
            out.put("redisCommandsPerSec", RedisProbe.per(commands, name -> !name.equals("info"), 0, seconds, 2));
            return out;
        }
        finally {
            Clients.closeAll(sockets);
        }
    }

    /**
     * Waits (bounded) until the server has spent under 1% of a core, and its JIT compilers under
     * 0.1%, for {@link #QUIET_SECONDS} seconds in a row: the JIT compiling what the connects and
     * the first pings ran, and the last scripts, are not idle work.
     */
    private static void settle(Service server) {
        long deadline = System.nanoTime() + SETTLE_AT_MOST.toNanos();
        int quietSeconds = 0;
        while (quietSeconds < QUIET_SECONDS && System.nanoTime() < deadline) {
            long before = Machine.cpuMicros(server.pid());
            long jitBefore = jitMicros(server);
            Baselines.sleep(Duration.ofSeconds(1));
            boolean quiet = Machine.cpuMicros(server.pid()) - before < 10_000 && jitMicros(server) - jitBefore < 1_000;
            quietSeconds = quiet ? quietSeconds + 1 : 0;
        }
    }

    private static long jitMicros(Service server) {
        return Machine.threadCpuMicros(server.pid()).entrySet().stream()
                .filter(thread -> thread.getKey().startsWith("C1 Compiler") || thread.getKey().startsWith("C2 Compiler"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Every socket sends {@code match} (open loop); returns once each one got its {@code matched}. */
    private static void pairUp(List<Ws> sockets) throws Exception {
        List<CompletableFuture<String>> matched = new ArrayList<>();
        for (Ws ws : sockets) {
            matched.add(ws.expect(text -> text.startsWith("{\"type\":\"matched\"")));
        }
        OpenLoop.run(MATCH_RATE, sockets.size(), (i, intended) -> sockets.get((int) i).send("{\"type\":\"match\"}"));
        CompletableFuture.allOf(matched.toArray(CompletableFuture[]::new))
                .get(PAIRING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
