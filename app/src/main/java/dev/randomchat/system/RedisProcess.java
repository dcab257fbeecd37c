package dev.randomchat.system;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import redis.embedded.core.ExecutableProvider;

import org.springframework.util.ClassUtils;

/**
 * A real {@code redis-server} process on a loopback port, with persistence off: the one on
 * {@code PATH} when there is one, else the binary that embedded-redis ships. embedded-redis is
 * not in the server jar: it is on the test class path, and {@code ./run.sh} adds it when no
 * {@code redis-server} is installed.
 *
 * <p>Used for the embedded default and by the tests; {@link #close()} stops it and waits.
 */
public final class RedisProcess implements AutoCloseable {

    /** How long a fresh Redis may take to answer PING; it usually needs a few milliseconds. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** Where embedded-redis keeps the binaries it ships; present only when its jar is on the class path. */
    private static final String EMBEDDED_REDIS = "redis.embedded.core.ExecutableProvider";

    private final Process process;
    private final int port;
    private final Path executable;
    private final Path dir;
    private final String password;

    private RedisProcess(Process process, int port, Path executable, Path dir, String password) {
        this.process = process;
        this.port = port;
        this.executable = executable;
        this.dir = dir;
        this.password = password;
    }

    /** Starts Redis on a free loopback port, open to anyone who reaches the port. */
    public static RedisProcess start(String... extraArgs) throws IOException {
        return start(freePort(), extraArgs);
    }

    public static RedisProcess start(int port, String... extraArgs) throws IOException {
        return start(port, "", List.of(extraArgs));
    }

    /**
     * Starts Redis on a free loopback port that answers only clients that send {@code password}
     * (requirepass). The password goes to the process on its standard input, so it never shows in
     * the process list.
     */
    public static RedisProcess startWithPassword(String password) throws IOException {
        return start(freePort(), password, List.of());
    }

    private static RedisProcess start(int port, String password, List<String> extraArgs) throws IOException {
        Path executable = locateExecutable();
        Path dir = Files.createTempDirectory("random-chat-redis-");
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--loglevel", "warning"));
        command.addAll(extraArgs);
        // "-" last: redis-server reads more configuration from its standard input.
        command.add("-");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        try (Writer config = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            if (!password.isEmpty()) {
                config.write("requirepass " + password + "\n");
            }
        }
        RedisProcess redis = new RedisProcess(process, port, executable, dir, password);
        redis.awaitReady();
        return redis;
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The password clients must send, or empty when this Redis asks for none. */
    public String password() {
        return password;
    }

    public Path executable() {
        return executable.toAbsolutePath();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Where the binary came from, for the log line that says which mode runs. */
    public String origin() {
        return executable.startsWith(System.getProperty("java.io.tmpdir"))
                ? "binary bundled with embedded-redis" : executable.toString();
    }

    /** Kills the process at once, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(dir);
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + logTail());
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for redis-server", ex);
            }
        }
        close();
        throw new IOException("redis-server did not answer PING within " + START_TIMEOUT);
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            String auth = password.isEmpty() ? "" : "AUTH " + password + "\r\n";
            out.write((auth + "PING\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            if (!auth.isEmpty() && !"+OK".equals(in.readLine())) {
                return false;
            }
            return "+PONG".equals(in.readLine());
        }
        catch (IOException ex) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("redis.log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
        catch (IOException ex) {
            return "(no log)";
        }
    }

    private static Path locateExecutable() throws IOException {
        Optional<Path> onPath = onPath("redis-server");
        if (onPath.isPresent()) {
            return onPath.get();
        }
        if (!ClassUtils.isPresent(EMBEDDED_REDIS, RedisProcess.class.getClassLoader())) {
            throw new IOException("embedded mode needs a Redis: no redis-server on PATH, and the embedded-redis jar is "
                    + "not on the class path (install redis-server, start the server with ./run.sh, or set REDIS_ADDRS)");
        }
        return Bundled.executable();
    }

    /** Touches embedded-redis only when it is there: running this class's code needs its jar. */
    private static final class Bundled {

        static Path executable() throws IOException {
            Path bundled = ExecutableProvider.newJarResourceProvider().get().toPath();
            bundled.toFile().setExecutable(true);
            return bundled;
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
