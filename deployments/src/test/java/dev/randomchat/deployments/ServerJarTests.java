package dev.randomchat.deployments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production jar stays lean: what app/pom.xml leaves out (natives and libraries the server
 * never runs) does not come back with a dependency upgrade, and the jar stays under the size the
 * image is planned for. The reactor builds app/ before this module, so in {@code ./mvnw verify}
 * the jar is fresh; run alone ({@code ./mvnw -pl deployments test}) with no jar yet, it is built
 * first, as {@code ./run.sh} does on a fresh clone.
 */
class ServerJarTests {

    /** 60 MB: the jar was 80 MB with every library below, 52.9 MB without them. */
    private static final long MAX_BYTES = 60_000_000L;
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    /** File name prefixes in BOOT-INF/lib that must stay out, and why (see app/pom.xml). */
    private static final Map<String, String> LEFT_OUT = Map.of(
            "netty-codec-native-quic-", "QUIC/HTTP/3 natives: the server speaks HTTP/1.1",
            "netty-codec-classes-quic-", "QUIC: the server speaks HTTP/1.1",
            "netty-codec-http3-", "HTTP/3: the server speaks HTTP/1.1",
            "embedded-redis-", "Redis binaries: run.sh adds them beside the jar when needed",
            "bcprov-", "Bouncy Castle: nothing the server runs needs it",
            "commons-codec-", "nothing the server runs needs it");

    /** Libraries the server does run: a listing without them would prove nothing. */
    private static final List<String> KEPT = List.of("minio-", "okhttp-jvm-", "guava-", "lettuce-core-",
            "reactor-netty-http-", "jjwt-impl-");

    private static Path jar;

    @BeforeAll
    static void findOrBuildTheJar() throws IOException, InterruptedException {
        jar = RepositoryFiles.path(DockerfileTests.executableJar());
        if (Files.isRegularFile(jar)) {
            return;
        }
        ExternalCommand.Result build = ExternalCommand.run(
                List.of("./mvnw", "-q", "-B", "-Dmaven.test.skip=true", "package", "-pl", "app", "-am"),
                RepositoryFiles.root(), Map.of(), List.of(), BUILD_TIMEOUT);
        assertThat(build.exitCode()).as("building %s:%n%s%s", jar, build.stdout(), build.stderr()).isZero();
    }

    @Test
    void staysUnderSixtyMegabytes() throws IOException {
        assertThat(Files.size(jar)).as("size of %s", jar).isLessThan(MAX_BYTES);
    }

    @Test
    void leavesOutWhatTheServerNeverRuns() throws IOException {
        List<String> libraries = libraries();

        for (String kept : KEPT) {
            assertThat(libraries).as("kept library %s*", kept).anyMatch(name -> name.startsWith(kept));
        }
        LEFT_OUT.forEach((prefix, why) -> assertThat(libraries)
                .as("%s* must stay out of the jar (%s); an upgrade brought it back: exclude it in app/pom.xml",
                        prefix, why)
                .noneMatch(name -> name.startsWith(prefix)));
    }

    private static List<String> libraries() throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return Collections.list(zip.entries()).stream()
                    .map(ZipEntry::getName)
                    .filter(name -> name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar"))
                    .map(name -> name.substring("BOOT-INF/lib/".length()))
                    .toList();
        }
    }
}
