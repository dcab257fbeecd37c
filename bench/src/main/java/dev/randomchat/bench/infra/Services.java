package dev.randomchat.bench.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The processes a run measures: Redis, the chat servers and the bare echo server. Each is started
 * here, on a free loopback port, and stopped here by its own handle (also on Ctrl-C), never by name.
 */
public final class Services implements AutoCloseable {

    /** A cold JVM on a busy 2-core machine answers within seconds; this is the limit. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Time a process gets after SIGTERM before SIGKILL. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Every server JVM, chat or bare, starts with the options {@code ./run.sh} uses (an argument
     * file, {@code app/jvm.options}), so the memory and latency it reports are what a user gets.
     */
    public static final String HEAP = "@" + Path.of(System.getProperty("bench.jvmOptions", "app/jvm.options"))
            .toAbsolutePath();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final Deque<Process> started = new ConcurrentLinkedDeque<>();
    private final Thread hook = new Thread(this::stopAll, "bench-stop-services");

    public Services(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * A started process and where it listens; {@code managementPort} serves a chat server's metrics
     * ({@code MANAGEMENT_PORT}), -1 for the other processes.
     */
    public record Service(String name, Process process, int port, int managementPort, Path log) {

        public long pid() {
            return process.pid();
        }

        public String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        public String managementUrl() {
            return "http://127.0.0.1:" + managementPort;
        }
    }

    public Service startRedis() throws IOException {
        return startRedis("redis");
    }

    /** A Redis of its own, named {@code name} in the run's folder and logs. */
    public Service startRedis(String name) throws IOException {
        int port = freePort();
        Path work = Files.createDirectories(dir.resolve(name));
        Service redis = launch(name, port, List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--maxclients", "10000", "--loglevel", "warning", "--dir", work.toString()), Map.of(), work);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!redisAnswers(port)) {
            checkAlive(redis, deadline);
            pause(50);
        }
        return redis;
    }

    /**
     * Starts a three-master Redis Cluster ({@code redis-cli --cluster create}), like the tests'
     * one; returns its nodes once every node reports {@code cluster_state:ok}.
     */
    public List<Service> startCluster() throws IOException {
        List<Service> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = freePort();
            Path work = Files.createDirectories(dir.resolve("cluster-" + i));
            Service node = launch("cluster-" + i, port, List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
                    "--maxclients", "10000", "--loglevel", "warning", "--dir", work.toString(),
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "5000"), Map.of(), work);
            nodes.add(node);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (Service node : nodes) {
            while (!redisAnswers(node.port())) {
                checkAlive(node, deadline);
                pause(50);
            }
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String created = output(create);
        if (!created.contains("All 16384 slots covered")) {
            throw new IOException("redis-cli --cluster create failed: " + created);
        }
        for (Service node : nodes) {
            while (!output(List.of("redis-cli", "-p", Integer.toString(node.port()), "cluster", "info"))
                    .contains("cluster_state:ok")) {
                checkAlive(node, deadline);
                pause(100);
            }
        }
        return nodes;
    }

    private static String output(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            return text;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
        finally {
            process.destroy();
        }
    }

    /** Starts a chat server; {@link #awaitReady} waits for it. */
    public Service startApp(String name, Path jar, String redisAddr, String jwtSecret) throws IOException {
        return startApp(name, jar, redisAddr, jwtSecret, HEAP, Map.of());
    }

    /** Starts a chat server with this heap option and these settings over the load generator's own. */
    public Service startApp(String name, Path jar, String redisAddr, String jwtSecret, String heap,
            Map<String, String> settings) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Path work = Files.createDirectories(dir.resolve(name));
        List<String> command = new ArrayList<>(List.of(java(), heap));
        command.addAll(versionOptions());
        // For experiments only (e.g. -Dbench.serverJvmArgs=-Dreactor.netty.ioWorkerCount=2); empty by default.
        String extra = System.getProperty("bench.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        Map<String, String> env = new HashMap<>(Map.ofEntries(
                Map.entry("HTTP_PORT", Integer.toString(port)),
                Map.entry("MANAGEMENT_PORT", Integer.toString(managementPort)),
                Map.entry("REDIS_ADDRS", redisAddr),
                Map.entry("JWT_SECRET", jwtSecret),
                // Limits meant for abuse, not for a load generator on one address.
                Map.entry("RATE_LIMIT_PER_SECOND", "1000000"),
                Map.entry("RATE_LIMIT_BURST", "1000000"),
                Map.entry("MAX_CONNS_PER_IP", "100000"),
                Map.entry("UPGRADES_PER_SECOND", "1000000"),
                Map.entry("JOINS_PER_MINUTE", "100000000"),
                Map.entry("HISTORY_PER_MINUTE", "100000000"),
                Map.entry("GUEST_CREATIONS_PER_MINUTE", "100000000"),
                Map.entry("MAX_ALLOWED_CONNS", "19000"),
                Map.entry("MAX_MATCHES_PER_DAY", "0"),
                Map.entry("SHUTDOWN_DRAIN_SECONDS", "0"),
                Map.entry("UPLOAD_DIR", work.resolve("uploads").toString()),
                // The heap figure comes from /actuator/metrics (on the management port), which the
                // server does not expose by default.
                Map.entry("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "health,metrics")));
        // As ./run.sh and the image set it (README, "Which JVM"); -Dbench.mallocArenaMax= for glibc's default.
        String arenas = System.getProperty("bench.mallocArenaMax", "2");
        if (!arenas.isEmpty()) {
            env.put("MALLOC_ARENA_MAX", arenas);
        }
        env.putAll(settings);
        return launch(name, port, managementPort, command, env, work);
    }

    /**
     * Starts the bare Reactor Netty websocket server of the baselines, from this very jar; it pairs
     * visitors at {@code /pair} through this Redis.
     */
    public Service startEcho(Service redis) throws IOException {
        int port = freePort();
        Path work = Files.createDirectories(dir.resolve("echo"));
        String jar = Path.of(URI.create(Services.class.getProtectionDomain().getCodeSource().getLocation().toString()))
                .toString();
        List<String> command = new ArrayList<>(List.of(java(), HEAP));
        command.addAll(versionOptions());
        // One event loop per core, as the chat server runs (IO_THREADS); Reactor Netty's own default is at least four.
        command.add("-Dreactor.netty.ioWorkerCount=" + Runtime.getRuntime().availableProcessors());
        command.addAll(List.of("-cp", jar, "dev.randomchat.bench.BenchMain", "echo-server", Integer.toString(port),
                Integer.toString(redis.port())));
        return launch("echo", port, command, Map.of(), work);
    }

    public void awaitReady(Service service, String path) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            checkAlive(service, deadline);
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            }
            catch (IOException ex) {
                // not listening yet
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            pause(250);
        }
    }

    /** Heap in use, as the chat server's own metrics report it ({@code jvm.memory.used}, area heap). */
    public static long appHeapBytes(Service server) throws IOException, InterruptedException {
        String body = get(server.managementUrl() + "/actuator/metrics/jvm.memory.used?tag=area:heap");
        JsonNode tree = JSON.readTree(body);
        return (long) tree.get("measurements").get(0).get("value").doubleValue();
    }

    /** Heap in use in the bare server (the same sum of heap pools Micrometer reports). */
    public static long echoHeapBytes(Service echo) throws IOException, InterruptedException {
        return Long.parseLong(get(echo.baseUrl() + "/heap").trim());
    }

    /** Starts a JFR recording (profile settings) in a running JVM, e.g. after the warm-up. */
    public static void startRecording(Service service) throws IOException, InterruptedException {
        jcmd(service.pid(), "JFR.start", "name=bench", "settings=" + System.getProperty("bench.jfrSettings", "profile"));
    }

    /** Writes the recording started by {@link #startRecording} to {@code file}. */
    public static void dumpRecording(Service service, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        jcmd(service.pid(), "JFR.dump", "name=bench", "filename=" + file.toAbsolutePath());
    }

    /** A full collection in the process, so what is left on the heap is what is live. */
    public static void fullGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
    }

    /** Live objects by class after a full GC ({@code GC.class_histogram}): class name -> bytes. */
    public static Map<String, Long> classHistogram(long pid) throws IOException, InterruptedException {
        Map<String, Long> bytes = new HashMap<>();
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length >= 4 && cells[0].endsWith(":")) {
                bytes.merge(cells[3], Long.parseLong(cells[2]), Long::sum);
            }
        }
        return bytes;
    }

    /** A full collection in the server now (experiments: -Dbench.gcBeforeRelay=true). */
    public static void collect(Service service) {
        try {
            jcmd(service.pid(), "GC.run");
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line)
                .redirectErrorStream(true)
                .start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish");
        }
        return output;
    }

    public static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode());
        }
        return response.body();
    }

    public void stop(Service service) {
        stop(service.process());
        started.remove(service.process());
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException ex) {
            // already shutting down: the hook is running
        }
    }

    private void stopAll() {
        Process process;
        while ((process = started.pollLast()) != null) {
            stop(process);
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private Service launch(String name, int port, List<String> command, Map<String, String> env, Path work)
            throws IOException {
        return launch(name, port, -1, command, env, work);
    }

    private Service launch(String name, int port, int managementPort, List<String> command, Map<String, String> env,
            Path work) throws IOException {
        Path log = work.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return new Service(name, process, port, managementPort, log);
    }

    private static void checkAlive(Service service, long deadline) {
        if (!service.process().isAlive()) {
            throw new IllegalStateException(service.name() + " exited with " + service.process().exitValue()
                    + "; see " + service.log());
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(service.name() + " not ready within " + START_TIMEOUT + "; see "
                    + service.log());
        }
    }

    private static boolean redisAnswers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.readNBytes(reply, 0, 7);
            return read == 7 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
        catch (IOException ex) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The options only a Java 25 or later understands (as {@code ./run.sh} adds them), when the servers run on one. */
    public static List<String> versionOptions() {
        Path file = Path.of(System.getProperty("bench.jvmOptions25", "app/jvm25.options")).toAbsolutePath();
        return serverJavaMajor() >= 25 && Files.isRegularFile(file) ? List.of("@" + file) : List.of();
    }

    /** The feature version of the servers' JDK, from its {@code release} file (17 when unreadable). */
    public static int serverJavaMajor() {
        try {
            for (String line : Files.readAllLines(Path.of(serverJavaHome(), "release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring(line.indexOf('=') + 1).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            return 17;
        }
        return 17;
    }

    /** The JDK the servers run on: this bench's own, or {@code -Dbench.serverJava=<java home>} to compare runtimes. */
    public static String serverJavaHome() {
        return System.getProperty("bench.serverJava", System.getProperty("java.home"));
    }

    private static String java() {
        return Path.of(serverJavaHome(), "bin", "java").toString();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
