package dev.randomchat.deployments;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./run.sh} on a machine with a JDK and no {@code redis-server}: the server jar carries no
 * Redis binaries, so the script must put embedded-redis on the class path itself. This module is
 * built after the server's, so the jars run.sh uses are already there (if they are not, or are
 * older than the sources, run.sh builds them first, as on a fresh clone).
 */
class RunScriptIntegrationTests {

    /** A build on first use plus a cold JVM on a busy two-core machine. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(500);

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
    void startsTheServerWithItsOwnRedisWhereNoRedisServerIsInstalled() throws Exception {
        int port = freePort();
        Path log = workDir.resolve("run.log");
        ProcessBuilder builder = new ProcessBuilder("bash", RepositoryFiles.path("run.sh").toString())
                .directory(RepositoryFiles.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("REDIS_") || name.equals("JWT_SECRET"));
        builder.environment().put("PATH", pathWithoutRedis().toString());
        builder.environment().put("HTTP_PORT", Integer.toString(port));
        builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
        builder.environment().put("UPLOAD_DIR", workDir.resolve("uploads").toString());
        builder.environment().put("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
        process = builder.start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int health = -1;
        while (health != 200 && System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("run.sh alive; output:%n%s", read(log)).isTrue();
            health = status(port, "/actuator/health");
            if (health != 200) {
                Thread.sleep(POLL.toMillis());
            }
        }

        assertThat(health).as("health within %s; output:%n%s", START_TIMEOUT, read(log)).isEqualTo(200);
        assertThat(read(log)).contains("binary bundled with embedded-redis");
        assertThat(status(port, "/")).isEqualTo(200);
        process.destroy();
        assertThat(process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }

    /** A folder of links to every program on this PATH but Redis's, and this JDK's java first. */
    private Path pathWithoutRedis() throws IOException {
        Path bin = Files.createDirectories(workDir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String dir : System.getenv("PATH").split(":")) {
            Path folder = Path.of(dir);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> programs = Files.list(folder)) {
                for (Path program : programs.toList()) {
                    Path link = bin.resolve(program.getFileName().toString());
                    if (!program.getFileName().toString().startsWith("redis") && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, program);
                    }
                }
            }
        }
        assertThat(bin.resolve("redis-server")).doesNotExist();
        return bin;
    }

    private static int status(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException ex) {
            return -1;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
