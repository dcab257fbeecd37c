package dev.randomchat.system;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.randomchat.RandomChatApplication;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server as an operator runs it: its own JVM, configured only by environment variables. With
 * no {@code REDIS_ADDRS} it starts (and on SIGTERM stops) a Redis of its own.
 */
class EmbeddedModeIntegrationTests {

    /** A cold JVM on a busy two-core machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The JVM has waited for its Redis before exiting; this only covers the process table catching up. */
    private static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);
    /** The settings of docs/protocol.md and application.yaml; none may leak in from the test's own environment. */
    private static final List<String> SETTINGS = List.of("HTTP_PORT", "REDIS_ADDRS", "REDIS_PASSWORD", "REDIS_KEY_PREFIX",
            "REDIS_EXPIRATION_HOURS", "MAX_ALLOWED_CONNS", "MAX_CONNS_PER_IP", "MAX_MSG_SIZE_BYTE", "MAX_MSGS",
            "MAX_TEXT_CHARS", "JWT_SECRET", "JWT_EXPIRATION_SECONDS", "MINIO_ENDPOINT", "MINIO_ACCESS_KEY",
            "MINIO_SECRET_KEY", "MINIO_BUCKET", "MAX_UPLOAD_BYTES", "UPLOAD_DIR", "ALLOWED_ORIGINS", "TRUSTED_PROXIES",
            "ADMIN_TOKEN", "GUEST_POW_BITS", "SHUTDOWN_DRAIN_SECONDS", "WS_PING_SECONDS", "WS_IDLE_SECONDS",
            "MANAGEMENT_PORT", "HTTP_IDLE_SECONDS", "TURN_SECRET");

    @TempDir
    Path workDir;

    private Process process;

    @AfterEach
    void stopProcess() throws InterruptedException {
        if (process != null && process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void startsItsOwnRedisServesThePageAndStopsEverythingOnSigterm() throws Exception {
        int port = RedisProcess.freePort();
        process = launch(Map.of("HTTP_PORT", Integer.toString(port)));

        await().atMost(START_TIMEOUT).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            assertThat(process.isAlive()).as("server process alive; output:%n%s", output()).isTrue();
            return get(port, "/actuator/health").status() == 200;
        });
        assertThat(output()).contains("Embedded mode");
        assertThat(get(port, "/actuator/health").body()).contains("\"status\":\"UP\"");
        RawHttp.Response page = get(port, "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        List<ProcessHandle> redis = process.descendants()
                .filter(EmbeddedModeIntegrationTests::isRedis)
                .toList();
        assertThat(redis).as("redis-server children").hasSize(1);

        process.destroy();

        assertThat(process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        await().atMost(REAP_TIMEOUT).until(() -> !redis.get(0).isAlive());
    }

    @Test
    void startsThePasswordProtectedRedisBundledWithEmbeddedRedisWhenNoneIsInstalled() throws Exception {
        int port = RedisProcess.freePort();
        process = launch(Map.of("HTTP_PORT", Integer.toString(port), "PATH", pathWithoutRedis()), testClassPath());

        await().atMost(START_TIMEOUT).ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            assertThat(process.isAlive()).as("server process alive; output:%n%s", output()).isTrue();
            return get(port, "/actuator/health").status() == 200;
        });

        assertThat(output()).contains("binary bundled with embedded-redis");
        Matcher address = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)\\.").matcher(output());
        assertThat(address.find()).as("Redis address in the log").isTrue();
        assertThat(redisReply(Integer.parseInt(address.group(1)), "PING")).startsWith("-NOAUTH");
    }

    @Test
    void refusesEmbeddedModeNamingTheWayOutWhenNoRedisCanBeFound() throws Exception {
        List<String> withoutEmbeddedRedis = testClassPath().stream()
                .filter(entry -> !entry.contains("embedded-redis"))
                .toList();
        process = launch(Map.of("HTTP_PORT", "0", "PATH", pathWithoutRedis()), withoutEmbeddedRedis);

        assertThat(process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited by itself").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output()).contains("no redis-server on PATH").contains("REDIS_ADDRS");
    }

    @Test
    void refusesToStartWithExternalRedisAndNoJwtSecret() throws Exception {
        process = launch(Map.of("HTTP_PORT", "0", "REDIS_ADDRS", TestRedis.address(),
                "REDIS_KEY_PREFIX", ChatServer.newCluster()));

        assertThat(process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited by itself").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output()).contains("JWT_SECRET");
    }

    @Test
    void refusesToStartWithInvalidSettingNamingTheVariable() throws Exception {
        process = launch(Map.of("HTTP_PORT", "0", "REDIS_ADDRS", TestRedis.address(),
                "REDIS_KEY_PREFIX", ChatServer.newCluster(), "JWT_SECRET", ChatServer.JWT_SECRET,
                "MAX_ALLOWED_CONNS", "-1"));

        assertThat(process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited by itself").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output()).contains("MAX_ALLOWED_CONNS");
    }

    /**
     * Runs the application's main class on this JVM's class path. Under Surefire that is a
     * manifest-only jar whose {@code Class-Path} names the real entries; {@code java -cp} honours it.
     */
    private Process launch(Map<String, String> env) throws IOException {
        return launch(env, List.of(System.getProperty("java.class.path")));
    }

    private Process launch(Map<String, String> env, List<String> classPath) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Dspring.devtools.restart.enabled=false",
                "-cp", String.join(File.pathSeparator, classPath),
                RandomChatApplication.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("server.log").toFile());
        SETTINGS.forEach(builder.environment()::remove);
        // Never the default 9090: other servers (tests, other builds) run on this machine too.
        builder.environment().put("MANAGEMENT_PORT", Integer.toString(RedisProcess.freePort()));
        builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Debian's redis-server is a link to redis-check-rdb, and Redis rewrites its own command line. */
    private static boolean isRedis(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return info.command().orElse("").contains("redis") || info.commandLine().orElse("").contains("redis");
    }

    /** The test class path entry by entry (Surefire names them; the JVM's own may be a manifest-only jar). */
    private static List<String> testClassPath() {
        String entries = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(entries.split(File.pathSeparator));
    }

    /**
     * A PATH with every program of this one but Redis's (embedded-redis itself runs {@code uname}):
     * a folder of links, as on a fresh machine with no redis-server installed.
     */
    private String pathWithoutRedis() throws IOException {
        Path bin = Files.createDirectories(workDir.resolve("bin"));
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (Stream<Path> programs = Files.list(Path.of(dir))) {
                for (Path program : programs.toList()) {
                    Path link = bin.resolve(program.getFileName().toString());
                    if (!program.getFileName().toString().startsWith("redis")
                            && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, program);
                    }
                }
            }
        }
        assertThat(bin.resolve("redis-server")).doesNotExist();
        return bin.toString();
    }

    /** Sends one inline command to a Redis and returns the first line of its reply. */
    private static String redisReply(int port, String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private String output() throws IOException {
        return Files.readString(workDir.resolve("server.log"), StandardCharsets.UTF_8);
    }

    private static RawHttp.Response get(int port, String path) throws IOException {
        return RawHttp.once(port, REQUEST_TIMEOUT, "GET", path);
    }
}
