package dev.randomchat.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.randomchat.system.RedisProcess;

/**
 * A real server in its own JVM, for what an in-process server cannot show: SIGKILL (no cleanup
 * code runs), SIGTERM, start-up failures. Its output goes to a file the test can read.
 */
public final class ServerProcess implements AutoCloseable {

    /** A cold JVM on a busy 2-core machine; the server usually answers in a few seconds. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String SERVER_DIR = "rc-server-";

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Path uploads;

    private ServerProcess(Process process, int port, int managementPort, Path log, Path uploads) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.uploads = uploads;
    }

    /** The JVM options a server process runs with unless a test gives its own. */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

    /** Starts a server sharing {@code cluster}'s Redis key prefix, and waits until it is ready. */
    public static ServerProcess start(String cluster, Map<String, String> env) {
        return start(cluster, env, JVM_OPTIONS);
    }

    /** The same, with these JVM options (heap size, flags) instead of {@link #JVM_OPTIONS}. */
    public static ServerProcess start(String cluster, Map<String, String> env, List<String> jvmOptions) {
        ServerProcess server = launch(withDefaults(cluster, env), jvmOptions);
        server.awaitReady();
        return server;
    }

    /**
     * Starts a JVM with exactly this environment (plus PATH and HOME, and free ports for
     * {@code HTTP_PORT} and {@code MANAGEMENT_PORT} unless given) and does not wait.
     */
    public static ServerProcess launch(Map<String, String> env) {
        return launch(env, JVM_OPTIONS);
    }

    /** Starts a JVM with these options and exactly this environment (plus PATH and HOME); does not wait. */
    public static ServerProcess launch(Map<String, String> env, List<String> jvmOptions) {
        try {
            int port = env.containsKey("HTTP_PORT") ? Integer.parseInt(env.get("HTTP_PORT")) : RedisProcess.freePort();
            int managementPort = env.containsKey("MANAGEMENT_PORT") ? Integer.parseInt(env.get("MANAGEMENT_PORT"))
                    : freePortOtherThan(port);
            Path dir = ScratchDirs.create(SERVER_DIR);
            Path log = dir.resolve("server.log");
            // devtools is on the test classpath (it serves ./run.sh dev); a real server runs without it.
            List<String> command = new ArrayList<>();
            command.add(javaBinary());
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dspring.devtools.restart.enabled=false",
                    "-cp", classpath(), "dev.randomchat.RandomChatApplication"));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(key -> !key.equals("PATH") && !key.equals("HOME"));
            environment.putAll(env);
            environment.put("HTTP_PORT", Integer.toString(port));
            environment.put("MANAGEMENT_PORT", Integer.toString(managementPort));
            String uploads = env.get("UPLOAD_DIR");
            return new ServerProcess(builder.start(), port, managementPort, log, uploads == null ? null : Path.of(uploads));
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start a server process", ex);
        }
    }

    private static Map<String, String> withDefaults(String cluster, Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(ChatServer.environment(cluster, env));
        // A process picks its own free ports and prints its banner, unless the test says otherwise.
        for (String key : List.of("HTTP_PORT", "MANAGEMENT_PORT", "spring.main.banner-mode")) {
            if (!env.containsKey(key)) {
                all.remove(key);
            }
        }
        return all;
    }

    public void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + output());
            }
            if (ready()) {
                return;
            }
            pause(Duration.ofMillis(200));
        }
        throw new IllegalStateException("server not ready within " + START_TIMEOUT + ":\n" + output());
    }

    public boolean ready() {
        try {
            HttpResponse<String> response = Guests.HTTP.send(HttpRequest.newBuilder(uri("/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    public int managementPort() {
        return managementPort;
    }

    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: the JVM dies at once, no shutdown hook or cleanup runs. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(20));
    }

    /** SIGTERM, then waits for the exit code. */
    public int stop(Duration timeout) {
        process.destroy();
        return waitFor(timeout);
    }

    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("server did not exit within " + timeout);
            }
            return process.exitValue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            return "(no output: " + ex + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(20));
        }
        if (!process.isAlive()) {
            ScratchDirs.deleteIfOurs(log.getParent(), SERVER_DIR);
            ScratchDirs.deleteIfOurs(uploads, ScratchDirs.UPLOADS);
        }
    }

    private static String classpath() {
        String full = System.getProperty("surefire.test.class.path");
        return full != null && !full.isBlank() ? full : System.getProperty("java.class.path");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }


    /** Two free-port probes can return the same port (it was free both times): the second must differ. */
    private static int freePortOtherThan(int taken) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = RedisProcess.freePort();
            if (port != taken) {
                return port;
            }
        }
        throw new IllegalStateException("no free port other than " + taken + " in 20 tries");
    }

}
