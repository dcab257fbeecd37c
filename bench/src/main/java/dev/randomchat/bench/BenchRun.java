package dev.randomchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.RedisProbe;
import dev.randomchat.bench.infra.Report;
import dev.randomchat.bench.infra.Services;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.scenario.Arrivals;
import dev.randomchat.bench.scenario.Baselines;
import dev.randomchat.bench.scenario.Hostile;
import dev.randomchat.bench.scenario.Idle;
import dev.randomchat.bench.scenario.Matching;
import dev.randomchat.bench.scenario.Relay;

/**
 * One benchmark run: starts Redis, two chat servers and the bare echo server, measures the
 * baselines and the service interleaved, prints one JSON line per scenario and a markdown summary
 * with every target met or not, and stops what it started.
 */
final class BenchRun {

    private static final Path APP_JAR = Path.of(System.getProperty("bench.appJar",
            "app/target/random-chat-app-1.0.0-SNAPSHOT-exec.jar"));
    private static final Path TARGET = Path.of(System.getProperty("bench.dir", "bench/target"));
    /** A series ends after this many unsustained steps in a row (one may be noise on a shared machine). */
    private static final int GIVE_UP_AFTER = 2;
    /** For profiling one operating point: run every listed step even after one is not sustained. */
    private static final boolean KEEP_GOING = Boolean.getBoolean("bench.keepGoing");
    /** The longest wait for quiet servers between steps ({@link Machine#awaitQuiet}). */
    private static final Duration QUIET_WAIT = Duration.ofSeconds(6);
    /** The server's grace for a closed socket before its guest leaves the channel (chat/ChannelPresence). */
    private static final Duration PRESENCE_GRACE = Duration.ofSeconds(3);

    private final Plan plan;
    private final boolean jfr;
    private final List<Map<String, Object>> echoRuns = new ArrayList<>();
    private final List<Map<String, Object>> relayOne = new ArrayList<>();
    private final List<Map<String, Object>> relayTwo = new ArrayList<>();
    private final List<Map<String, Object>> matching = new ArrayList<>();
    private Map<String, Object> redisPublish;
    private Map<String, Object> hop;
    private Map<String, Object> idleApp;
    private Map<String, Object> idleBare;
    private Map<String, Object> hostile;

    /** Scenarios to run (all when empty): echo, relay1, redis, relay2, hop, matching, idle, hostile. */
    private final Set<String> only;

    BenchRun(Plan plan, boolean jfr, Set<String> only) {
        this.plan = plan;
        this.jfr = jfr;
        this.only = only;
    }

    private boolean wants(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    int run() throws Exception {
        if (!Files.isRegularFile(APP_JAR)) {
            System.err.println("No " + APP_JAR + ": build it first (./run.sh bench does).");
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Report report = new Report(TARGET.resolve("bench-" + stamp + ".jsonl"), System.out);
        long began = System.nanoTime();
        String loadBefore = Machine.loadAverage();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("mode", plan.name());
        machine.put("cpu", Machine.cpuModel());
        machine.put("cores", Machine.cores());
        machine.put("loadAverage", loadBefore);
        machine.put("java", System.getProperty("java.version"));
        machine.put("serverHeap", serverJvm());
        machine.put("serverJava", serverJava());
        machine.put("serverJvm", serverJvm());
        report.line("machine", machine);
        boolean peer = wants("peer") || wants("peer-relay") || wants("peer-matching") || wants("peer-idle");
        PeerRows peerRows = new PeerRows(seconds("bench.peerRelaySeconds", plan.name().equals("full") ? 30 : 20),
                seconds("bench.peerMatchSeconds", plan.name().equals("full") ? 5 : 4),
                Duration.ofSeconds((long) seconds("bench.peerIdleSeconds", plan.name().equals("full") ? 30 : 25)));

        try (Services services = new Services(TARGET.resolve("run-" + stamp))) {
            Report.note("starting Redis, two chat servers and the bare echo server...");
            Service redis = services.startRedis();
            String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
            String redisAddr = "127.0.0.1:" + redis.port();
            Service one = services.startApp("server1", APP_JAR, redisAddr, secret);
            Service two = services.startApp("server2", APP_JAR, redisAddr, secret);
            Service echo = services.startEcho(redis);
            Service attacked = wants("hostile") ? services.startApp("hostile", APP_JAR, redisAddr, secret,
                    Hostile.SERVER_HEAP, Hostile.SERVER_SETTINGS) : null;
            services.awaitReady(one, "/actuator/health/readiness");
            services.awaitReady(two, "/actuator/health/readiness");
            services.awaitReady(echo, "/heap");
            // The issue-21 rows: a 3-master Cluster with a server of its own (started now, so it lives
            // through the whole run and its log shows any reconnect that never happened), and a
            // fresh server for the idle rows.
            // -Dbench.peerCluster=false leaves the Cluster out (comparing runtimes on the single Redis rows).
            List<Service> clusterNodes = peer && (wants("peer") || wants("peer-relay"))
                    && Boolean.parseBoolean(System.getProperty("bench.peerCluster", "true"))
                    ? services.startCluster() : List.of();
            Service clustered = clusterNodes.isEmpty() ? null : services.startApp("server3", APP_JAR,
                    String.join(",", clusterNodes.stream().map(node -> "127.0.0.1:" + node.port()).toList()), secret);
            long clusteredSince = System.nanoTime();
            // The idle server has a Redis of its own, as ./run.sh starts one: the shared Redis holds
            // what the relay and matching rows left (keys expiring, other servers' deadlines), and
            // that Redis's CPU in the idle window was 2-3 times what the idle server asks of it.
            Service idleRedis = peer && (wants("peer") || wants("peer-idle")) ? services.startRedis("idle-redis") : null;
            Service idleServer = idleRedis == null ? null
                    : services.startApp("idle", APP_JAR, "127.0.0.1:" + idleRedis.port(), secret, Services.HEAP, Map.of());
            for (Service server : Arrays.asList(clustered, idleServer)) {
                if (server != null) {
                    services.awaitReady(server, "/actuator/health/readiness");
                }
            }
            try (RedisProbe probe = new RedisProbe(redis.port())) {
                Relay relay = new Relay(probe, redis);
                Report.note("warming up (relay on one server and across both, a few matches; not measured)");
                // Each path measured later is run here first: a pair on one server takes other
                // code than a pair split across two, and on 2 cores C2 compiling it mid-step
                // shows up as latency.
                relay.step(List.of(one), plan.relayPairs(), 4_000, plan.warmupSeconds() / 2);
                relay.step(List.of(one, two), plan.relayPairs(), 4_000, plan.warmupSeconds() / 2);
                // Matching runs code the relay does not: three rounds, or its first steps measure the JIT.
                for (int round = 0; round < 3; round++) {
                    new Matching(probe, redis).step(one, 1_000, plan.matchMaxVisitors(), 2);
                }
                if (peer && (wants("peer") || wants("peer-matching"))) {
                    // Visitors that connect at arrival run the upgrade and hello paths as well. Three
                    // rounds of 2 s at 300 pairs/s left C2 compiling 180-290 ms of them inside the
                    // first measured step (200 pairs/s, 4 s; bench/RESULTS.md).
                    for (int round = 0; round < 3; round++) {
                        new Arrivals(redis).step(one, 500, plan.warmupSeconds() / 5);
                    }
                }
                // Thousands of channels end as those sockets close: not inside the first measured step.
                quiet(one, two);
                Baselines.echo(echo, plan.echoConnections(), plan.echoWindow(), 1);
                if (jfr) {
                    Services.startRecording(one);
                    Services.startRecording(two);
                }

                if (wants("echo")) {
                    echo(report, echo, 1);
                }
                if (wants("relay1")) {
                    relaySeries(report, relay, "relay-1-server", List.of(one), relayOne);
                    quiet(one, two);
                }
                if (wants("redis")) {
                    Report.note("baseline: redis-benchmark PUBLISH");
                    redisPublish = Baselines.redisPublish(redis, plan.redisBenchRequests());
                    report.line("baseline-redis-publish", redisPublish);
                }
                if (wants("echo")) {
                    echo(report, echo, 2);
                }
                if (wants("relay2")) {
                    relaySeries(report, relay, "relay-2-servers", List.of(one, two), relayTwo);
                    quiet(one, two);
                }
                if (wants("hop")) {
                    Report.note("baseline: Lettuce Pub/Sub one-way hop");
                    hop = Baselines.pubSubHop(probe, plan.hopRate(), plan.hopSeconds());
                    report.line("baseline-pubsub-hop", hop);
                }
                if (wants("matching")) {
                    matchingSeries(report, new Matching(probe, redis), one, two);
                }
                if (wants("echo")) {
                    echo(report, echo, 3);
                }
                if (wants("idle")) {
                    idle(report, echo, two);
                }
                if (attacked != null) {
                    services.awaitReady(attacked, "/actuator/health/readiness");
                    // The other servers sit idle meanwhile; only the attacked one and Redis are measured.
                    hostile = new Hostile(attacked, redis).run(500, 4, 20, plan.hostileSeconds());
                    report.line("hostile", hostile);
                }
                if (peer) {
                    peerRows(report, peerRows, relay, redis, probe, one, echo, clusterNodes, clustered, clusteredSince);
                }
                if (jfr) {
                    for (Service server : List.of(one, two)) {
                        Path file = TARGET.resolve("jfr").resolve(stamp + "-" + server.name() + ".jfr");
                        Services.dumpRecording(server, file);
                        Report.note("JFR recording of " + server.name() + " (after the warm-up): " + file);
                    }
                }
                if (idleServer != null) {
                    // Only the idle server and its Redis run in the idle window: the others stop, so
                    // that their own timers neither count nor compete for the cores.
                    probe.close();
                    for (Service other : Arrays.asList(one, two, clustered, attacked, echo, redis)) {
                        if (other != null) {
                            services.stop(other);
                        }
                    }
                    clusterNodes.forEach(services::stop);
                    try (RedisProbe idleProbe = new RedisProbe(idleRedis.port())) {
                        peerRows.idle(report, idleServer, idleRedis, idleProbe);
                    }
                }
            }
        }
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("seconds", Math.round((System.nanoTime() - began) / 1e9));
        end.put("loadAverageBefore", loadBefore);
        end.put("loadAverageAfter", Machine.loadAverage());
        end.put("jsonLines", report.file().toString());
        String markdown = new Summary(plan, machine, echoRuns, relayOne, relayTwo, matching, redisPublish, hop,
                idleApp, idleBare, end).markdown() + Hostile.markdown(hostile)
                + (peer ? "\n" + peerRows.markdown(machine) : "");
        Path summary = TARGET.resolve("bench-" + stamp + ".md");
        Files.writeString(summary, markdown);
        end.put("summary", summary.toString());
        report.line("run", end);
        System.out.println();
        System.out.println(markdown);
        return 0;
    }

    private void echo(Report report, Service echo, int round) {
        Report.note("baseline: raw Reactor Netty websocket echo (" + round + ")");
        Map<String, Object> result = Baselines.echo(echo, plan.echoConnections(), plan.echoWindow(), plan.echoSeconds());
        result.put("round", round);
        echoRuns.add(result);
        report.line("baseline-echo", result);
    }

    private void relaySeries(Report report, Relay relay, String scenario, List<Service> servers,
            List<Map<String, Object>> results) {
        int missed = 0;
        for (int rate : plan.relayRates()) {
            Report.note(scenario + ": " + rate + " messages/s");
            Map<String, Object> result = relay.step(servers, plan.relayPairs(), rate, plan.relayStepSeconds());
            report.line(scenario, result);
            results.add(result);
            quiet(servers.toArray(Service[]::new));
            missed = (boolean) result.get("sustained") ? 0 : missed + 1;
            if (missed == GIVE_UP_AFTER && !KEEP_GOING) {
                break;
            }
        }
    }

    private void matchingSeries(Report report, Matching scenario, Service one, Service two) {
        int missed = 0;
        for (int rate : plan.matchRates()) {
            Report.note("matching: " + rate + " pairs/s");
            Map<String, Object> result = scenario.step(one, rate, plan.matchMaxVisitors(), plan.matchStepSeconds());
            report.line("matching", result);
            matching.add(result);
            quiet(one, two);
            missed = (boolean) result.get("sustained") ? 0 : missed + 1;
            if (missed == GIVE_UP_AFTER && !KEEP_GOING) {
                break;
            }
        }
    }

    private void idle(Report report, Service echo, Service app) throws Exception {
        int[] levels = plan.idleLevels();
        Report.note("idle: bare Reactor Netty websocket, " + levels[levels.length - 1] + " connections at most");
        idleBare = Idle.measure(echo, levels, i -> Clients.wsUri(echo.port(), i, "/ws"), i -> null, false,
                () -> Services.echoHeapBytes(echo));
        report.line("idle-bare-reactor-netty", idleBare);
        Report.note("idle: chat server, creating " + levels[levels.length - 1] + " guests");
        List<Clients.Guest> guests = Clients.guests(app.baseUrl(), levels[levels.length - 1]);
        quiet(app);
        idleApp = Idle.measure(app, levels, i -> Clients.wsUri(app.port(), i, "/ws"), i -> guests.get(i).token(),
                true, () -> Services.appHeapBytes(app));
        report.line("idle-chat-server", idleApp);
    }

    private void peerRows(Report report, PeerRows rows, Relay relay, Service redis, RedisProbe probe, Service one,
            Service echo, List<Service> clusterNodes, Service clustered, long clusteredSince) throws Exception {
        if (wants("peer") || wants("peer-relay")) {
            rows.relay(report, relay, one, List.of(probe), false);
        }
        if (clustered != null) {
            List<RedisProbe> probes = PeerRows.probes(clusterNodes);
            try {
                rows.relay(report, new Relay(probes, clusterNodes), clustered, probes, true);
            }
            finally {
                probes.forEach(RedisProbe::close);
            }
        }
        if (wants("peer") || wants("peer-matching")) {
            rows.matching(report, one, redis, probe, plan.matchMaxVisitors(), echo);
        }
        if (clustered != null) {
            rows.reconnects(report, clustered, clusteredSince);
        }
    }

    private static double seconds(String property, double otherwise) {
        return Double.parseDouble(System.getProperty(property, Double.toString(otherwise)));
    }

    /** The servers' JDK version, from its {@code release} file. */
    private static String serverJava() {
        try {
            return Files.readAllLines(Path.of(Services.serverJavaHome(), "release")).stream()
                    .filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring(line.indexOf('=') + 1).replace("\"", ""))
                    .findFirst().orElse("?");
        }
        catch (IOException ex) {
            return "?";
        }
    }

    /** The servers' JVM options as the argument files give them (comments left out). */
    private static String serverJvm() {
        List<String> options = new ArrayList<>();
        List<String> files = new ArrayList<>(List.of(Services.HEAP));
        files.addAll(Services.versionOptions());
        for (String file : files) {
            try {
                Files.readAllLines(Path.of(file.substring(1))).stream()
                        .map(line -> line.replaceAll("#.*", "").trim())
                        .filter(line -> !line.isEmpty())
                        .forEach(options::add);
            }
            catch (IOException ex) {
                options.add(file);
            }
        }
        String extra = System.getProperty("bench.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            options.add(extra);
        }
        return String.join(" ", options);
    }

    /**
     * After a step that closed thousands of sockets: the server leaves their channels only when the
     * presence grace of a closed socket has passed (a visitor who reconnects in time keeps the chat),
     * so the leaves of a whole step come {@link #PRESENCE_GRACE} after its close, then quiet. The next
     * step's load is its own, not the previous one's departures.
     */
    static void departed(Service server) {
        sleep(PRESENCE_GRACE.toMillis() + 500);
        quiet(server);
    }

    /** Waits (at most a few seconds) until the servers are idle, so one step's tail is not the next one's load. */
    static void quiet(Service... servers) {
        Machine.awaitQuiet(QUIET_WAIT, Arrays.stream(servers).mapToLong(Service::pid).toArray());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
