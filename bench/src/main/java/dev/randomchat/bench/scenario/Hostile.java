package dev.randomchat.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.Report;
import dev.randomchat.bench.infra.Services;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.StalledSocket;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/**
 * Hostile load (issue 16): a bystander pair chats at a fixed rate while hostile clients join full
 * channels and never read, and others loop on connect, {@code join}, close. The bystander's latency, the server's
 * peak heap and Redis CPU are measured with the attack and, first, without it.
 *
 * <p>The server runs with the production limits (JOINS_PER_MINUTE 30, UPGRADES_PER_SECOND 10,
 * WS_OUTBOUND_BYTES 1 MiB) and {@code -Xmx256m}, the heap the protocol's promise names.
 */
public final class Hostile {

    /** Settings of the attacked server: production limits where the load generator's own are lifted. */
    public static final Map<String, String> SERVER_SETTINGS = Map.of(
            "JOINS_PER_MINUTE", "30",
            "UPGRADES_PER_SECOND", "10",
            "MAX_MSGS", "500",
            "MAX_TEXT_CHARS", "2000");
    public static final String SERVER_HEAP = "-Xmx256m";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MAX_MSGS = 500;
    private static final String BIG_TEXT = "z".repeat(2000);
    /** Channels whose guests the non-readers use; with 30 joins per guest per minute, 8 guests carry 240. */
    private static final int STALL_CHANNELS = 4;
    private static final int STALL_THREADS = 16;

    private final Service server;
    private final Service redis;

    public Hostile(Service server, Service redis) {
        this.server = server;
        this.redis = redis;
    }

    private record Member(String token, String channelToken) {
    }

    /** Runs the bystander alone, then under attack; returns both, side by side. */
    public Map<String, Object> run(int nonReaders, int joinLoopers, int bystanderRate, double seconds) throws Exception {
        Report.note("hostile: filling " + (STALL_CHANNELS + 1) + " channels with " + MAX_MSGS + " messages of 2000 chars");
        List<List<Member>> channels = new ArrayList<>();
        for (int i = 0; i <= STALL_CHANNELS; i++) {
            channels.add(fullChannel());
        }
        Bystander bystander = Bystander.start(server);
        try {
            Report.note("hostile: bystander alone, " + bystanderRate + " messages/s for " + seconds + " s");
            Map<String, Object> calm = bystander.measure(bystanderRate, seconds, server, redis);
            Report.note("hostile: bystander while " + nonReaders + " sockets join full channels and stop reading, and "
                    + joinLoopers + " clients loop on join");
            AtomicBoolean attacking = new AtomicBoolean(true);
            AtomicInteger joined = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger stalledOpen = new AtomicInteger();
            List<StalledSocket> stalled = Collections.synchronizedList(new ArrayList<>());
            ExecutorService attackers = Executors.newFixedThreadPool(STALL_THREADS + joinLoopers);
            Map<String, Object> attacked;
            try {
                List<Member> stallers = channels.subList(0, STALL_CHANNELS).stream().flatMap(List::stream).toList();
                for (int t = 0; t < STALL_THREADS; t++) {
                    int first = t;
                    attackers.submit(() -> stallAll(first, STALL_THREADS, nonReaders, stallers, stalled, stalledOpen,
                            attacking));
                }
                List<Member> loopers = channels.get(STALL_CHANNELS);
                for (int i = 0; i < joinLoopers; i++) {
                    Member member = loopers.get(i % loopers.size());
                    int index = i;
                    attackers.submit(() -> joinLoop(member, index, attacking, joined, refused));
                }
                attacked = bystander.measure(bystanderRate, seconds, server, redis);
            }
            finally {
                attacking.set(false);
                attackers.shutdown();
                attackers.awaitTermination(30, TimeUnit.SECONDS);
                stalled.forEach(StalledSocket::close);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("nonReaders", stalledOpen.get());
            result.put("joinLoopers", joinLoopers);
            result.put("joinsServed", joined.get());
            result.put("joinsRefused", refused.get());
            result.put("bystanderRatePerSec", bystanderRate);
            result.put("seconds", seconds);
            result.put("calm", calm);
            result.put("attacked", attacked);
            result.put("serverAlive", server.process().isAlive());
            return result;
        }
        finally {
            bystander.close();
        }
    }

    /** Two guests matched, their channel filled with MAX_MSGS messages of the largest text. */
    private List<Member> fullChannel() throws Exception {
        List<Clients.Guest> guests = Clients.guests(server.baseUrl(), 2);
        Ws a = Ws.connect(Clients.wsUri(server.port(), 0, "/ws"), guests.get(0).token()).block(WAIT);
        Ws b = Ws.connect(Clients.wsUri(server.port(), 1, "/ws"), guests.get(1).token()).block(WAIT);
        try {
            var waiting = a.expect(text -> text.contains("\"type\":\"waiting\""));
            var aMatched = a.expect(text -> text.contains("\"type\":\"matched\""));
            var bMatched = b.expect(text -> text.contains("\"type\":\"matched\""));
            a.send("{\"type\":\"match\"}");
            waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            b.send("{\"type\":\"match\"}");
            String aToken = JSON.readTree(aMatched.get(WAIT.toSeconds(), TimeUnit.SECONDS)).get("token").stringValue();
            String bToken = JSON.readTree(bMatched.get(WAIT.toSeconds(), TimeUnit.SECONDS)).get("token").stringValue();
            for (int start = 0; start < MAX_MSGS; start += 50) {
                String last = "\"cmid\":\"f" + (start + 49) + "\"";
                var acked = a.expect(text -> text.startsWith("{\"type\":\"ack\"") && text.contains(last));
                List<String> batch = new ArrayList<>();
                for (int i = start; i < start + 50; i++) {
                    batch.add("{\"type\":\"send\",\"cmid\":\"f" + i + "\",\"text\":\"" + BIG_TEXT + "\"}");
                }
                a.sendAll(batch);
                acked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            return List.of(new Member(guests.get(0).token(), aToken), new Member(guests.get(1).token(), bToken));
        }
        finally {
            a.close();
            b.close();
        }
    }

    /** Every {@code step}-th non-reader from {@code first}: upgrade, join from the start, read nothing. */
    private void stallAll(int first, int step, int count, List<Member> members, List<StalledSocket> stalled,
            AtomicInteger open, AtomicBoolean attacking) {
        for (int i = first; i < count && attacking.get(); i += step) {
            Member member = members.get(i % members.size());
            try {
                StalledSocket socket = null;
                for (int attempt = 0; attempt < 5 && socket == null && attacking.get(); attempt++) {
                    socket = StalledSocket.connect(stallerUri(i), member.token());
                    if (socket == null) {
                        Thread.sleep(200);
                    }
                }
                if (socket != null) {
                    socket.send("{\"type\":\"join\",\"token\":\"" + member.channelToken() + "\",\"after\":0}");
                    stalled.add(socket);
                    open.incrementAndGet();
                }
            }
            catch (Exception ex) {
                // refused or dropped: the attack goes on with the next one
            }
        }
    }

    /**
     * Connects, joins from the start, and closes as soon as the answer begins (a replayed message,
     * {@code joined} or an error); until told to stop. Each join costs the server the start of a
     * replay and Redis a page; the client reads almost nothing, so it can loop fast.
     */
    private void joinLoop(Member member, int index, AtomicBoolean attacking, AtomicInteger joined, AtomicInteger refused) {
        while (attacking.get()) {
            StalledSocket socket = connectOrNull(Clients.wsUri(server.port(), 8 + index, "/ws"), member.token());
            if (socket == null) {
                // 429: too many upgrades from this address this second
                pause(50);
                continue;
            }
            try (socket) {
                socket.readText();
                socket.send("{\"type\":\"join\",\"token\":\"" + member.channelToken() + "\",\"after\":0}");
                String answer = socket.readText();
                if (answer.contains("\"rate_limited\"")) {
                    refused.incrementAndGet();
                }
                else if (answer.startsWith("{\"type\":\"message\"") || answer.startsWith("{\"type\":\"joined\"")) {
                    joined.incrementAndGet();
                }
            }
            catch (Exception ex) {
                // a socket closed under load: connect again
            }
        }
    }

    /**
     * The non-readers come from addresses of their own (Linux answers on all of 127.0.0.0/8), 250
     * of them: as from many machines, so the per-address upgrade limit does not pace them.
     */
    private String stallerUri(int i) {
        return "ws://127.0.1." + (1 + i % 250) + ":" + server.port() + "/ws";
    }

    private static StalledSocket connectOrNull(String uri, String token) {
        try {
            return StalledSocket.connect(uri, token);
        }
        catch (Exception ex) {
            return null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A matched pair; one sends at a fixed rate, the other's arrival times give the latency. */
    private static final class Bystander implements AutoCloseable {

        private final Ws sender;
        private final Ws receiver;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private volatile Histogram micros = new Histogram(3);
        private final AtomicLong sequence = new AtomicLong();

        private Bystander(Ws sender, Ws receiver) {
            this.sender = sender;
            this.receiver = receiver;
            receiver.onText(text -> {
                if (text.startsWith("{\"type\":\"message\"")) {
                    JsonNode message = JSON.readTree(text);
                    Long at = sentAt.remove(message.get("cmid").stringValue());
                    if (at != null) {
                        micros.recordValue(Math.max(0, (System.nanoTime() - at) / 1000));
                    }
                }
            });
        }

        static Bystander start(Service server) throws Exception {
            List<Clients.Guest> guests = Clients.guests(server.baseUrl(), 2);
            Ws a = Ws.connect(Clients.wsUri(server.port(), 14, "/ws"), guests.get(0).token()).block(WAIT);
            Ws b = Ws.connect(Clients.wsUri(server.port(), 15, "/ws"), guests.get(1).token()).block(WAIT);
            var waiting = a.expect(text -> text.contains("\"type\":\"waiting\""));
            var aMatched = a.expect(text -> text.contains("\"type\":\"matched\""));
            var bMatched = b.expect(text -> text.contains("\"type\":\"matched\""));
            a.send("{\"type\":\"match\"}");
            waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            b.send("{\"type\":\"match\"}");
            aMatched.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bMatched.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new Bystander(a, b);
        }

        /** Sends at {@code rate} for {@code seconds}; latency, losses, peak heap and Redis CPU meanwhile. */
        Map<String, Object> measure(int rate, double seconds, Service server, Service redis) throws Exception {
            Histogram histogram = new Histogram(3);
            micros = histogram;
            sentAt.clear();
            long redisBefore = Machine.cpuMicros(redis.pid());
            long serverBefore = Machine.cpuMicros(server.pid());
            long began = System.nanoTime();
            long end = began + (long) (seconds * 1e9);
            long interval = 1_000_000_000L / rate;
            long next = began;
            long peakHeap = 0;
            long nextSample = began;
            int sent = 0;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextSample) {
                    peakHeap = Math.max(peakHeap, heap(server));
                    nextSample = now + 500_000_000L;
                }
                if (now >= next) {
                    String cmid = "b" + sequence.incrementAndGet();
                    sentAt.put(cmid, System.nanoTime());
                    sender.send("{\"type\":\"send\",\"cmid\":\"" + cmid + "\",\"text\":\"still here\"}");
                    sent++;
                    next += interval;
                }
                Thread.sleep(Math.max(1, Math.min(next, nextSample) - System.nanoTime()) / 1_000_000);
            }
            double elapsed = (System.nanoTime() - began) / 1e9;
            long redisCpu = Machine.cpuMicros(redis.pid()) - redisBefore;
            long serverCpu = Machine.cpuMicros(server.pid()) - serverBefore;
            // Stragglers get a moment to arrive; what never does is counted lost.
            long grace = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (!sentAt.isEmpty() && System.nanoTime() < grace) {
                Thread.sleep(20);
            }
            Map<String, Object> out = new LinkedHashMap<>(Stats.latencyMs(histogram));
            out.put("sent", sent);
            out.put("lost", sentAt.size());
            out.put("peakHeapMb", Stats.round(peakHeap / 1048576.0, 1));
            out.put("redisCpuPercent", Stats.round(100.0 * redisCpu / (elapsed * 1e6), 1));
            out.put("serverCpuPercent", Stats.round(100.0 * serverCpu / (elapsed * 1e6), 1));
            return out;
        }

        private static long heap(Service server) {
            try {
                return Services.appHeapBytes(server);
            }
            catch (Exception ex) {
                return 0;
            }
        }

        @Override
        public void close() {
            sender.close();
            receiver.close();
        }
    }

    /** The markdown section of the run's summary. */
    public static String markdown(Map<String, Object> result) {
        if (result == null) {
            return "";
        }
        Map<?, ?> calm = (Map<?, ?>) result.get("calm");
        Map<?, ?> attacked = (Map<?, ?>) result.get("attacked");
        StringBuilder md = new StringBuilder();
        md.append("### Hostile load (1 server, ").append(SERVER_HEAP).append(", production limits)\n\n");
        md.append("A bystander pair chats at ").append(result.get("bystanderRatePerSec")).append(" messages/s for ")
                .append(result.get("seconds")).append(" s, alone and then while ").append(result.get("nonReaders"))
                .append(" sockets join full channels (500 x 2000 chars) and never read, and ")
                .append(result.get("joinLoopers")).append(" clients loop on connect/join/close (")
                .append(result.get("joinsServed")).append(" joins served, ").append(result.get("joinsRefused"))
                .append(" refused with rate_limited). Server alive after: ").append(result.get("serverAlive"))
                .append(".\n\n");
        md.append("| | bystander p50 / p99 / max (ms) | lost | peak heap (MB) | server CPU % | Redis CPU % |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (var row : List.of(Map.entry("without attackers", calm), Map.entry("under attack", attacked))) {
            Map<?, ?> r = row.getValue();
            md.append("| ").append(row.getKey()).append(" | ").append(r.get("p50Ms")).append(" / ").append(r.get("p99Ms"))
                    .append(" / ").append(r.get("maxMs")).append(" | ").append(r.get("lost")).append(" of ")
                    .append(r.get("sent")).append(" | ").append(r.get("peakHeapMb")).append(" | ")
                    .append(r.get("serverCpuPercent")).append(" | ").append(r.get("redisCpuPercent")).append(" |\n");
        }
        md.append('\n');
        return md.toString();
    }
}
