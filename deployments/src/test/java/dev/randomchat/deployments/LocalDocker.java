package dev.randomchat.deployments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker engine the container tests use (DOCKER_HOST, else the default socket), the local
 * images built from Debian packages (deployments/docker-test/build-images.sh) and the project's
 * image built from deployments/Dockerfile on them. Every command has a bounded wait.
 */
final class LocalDocker {

    static final String APP_IMAGE = "random-chat-local/app:test";

    private static final Path SCRIPTS = RepositoryFiles.path("deployments/docker-test");

    private final String docker;

    private LocalDocker(String docker) {
        this.docker = docker;
    }

    /**
     * A usable engine, or why there is none: the reason the container tests give when they skip.
     */
    static Availability find() {
        try {
            ExternalCommand.Result cli = ExternalCommand.run(List.of(SCRIPTS.resolve("docker-cli.sh").toString()),
                    RepositoryFiles.root(), Map.of(), List.of(), Duration.ofSeconds(30));
            if (cli.exitCode() != 0) {
                return Availability.no("no docker client that builds with BuildKit: " + cli.stderr().strip());
            }
            LocalDocker engine = new LocalDocker(cli.stdout().strip());
            ExternalCommand.Result version = engine.run(Duration.ofSeconds(20), "version", "--format",
                    "{{.Server.Version}}");
            if (version.exitCode() != 0) {
                return Availability.no("no Docker engine answers at "
                        + Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("the default socket")
                        + " (deployments/docker-test/dockerd.sh start runs one; .ci/run does): "
                        + version.stderr().strip());
            }
            if (ExternalCommand.onPath("debootstrap").isEmpty()) {
                return Availability.no("debootstrap is not installed (apt-get install debootstrap; .ci/run does)");
            }
            if (composeCommand().isEmpty()) {
                return Availability.no("neither docker-compose nor `docker compose` is installed");
            }
            return new Availability(Optional.of(engine), "Docker " + version.stdout().strip() + " via " + engine.docker);
        }
        catch (IOException | RuntimeException ex) {
            return Availability.no("docker could not be run: " + ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Availability.no("interrupted while looking for Docker");
        }
    }

    record Availability(Optional<LocalDocker> engine, String reason) {

        static Availability no(String reason) {
            return new Availability(Optional.empty(), reason);
        }
    }

    /** The Compose command line: docker-compose (1.29, Debian) or the v2 plugin. */
    static Optional<List<String>> composeCommand() {
        Optional<Path> v1 = ExternalCommand.onPath("docker-compose");
        if (v1.isPresent()) {
            return Optional.of(List.of(v1.get().toString()));
        }
        return ExternalCommand.onPath("docker").map((docker) -> List.of(docker.toString(), "compose"));
    }

    String cli() {
        return docker;
    }

    ExternalCommand.Result run(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(docker);
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, RepositoryFiles.root(), Map.of("DOCKER_BUILDKIT", "1"), List.of(), timeout);
    }

    /** Runs a docker command that must succeed and returns its standard output, trimmed. */
    String ok(Duration timeout, String... arguments) throws IOException, InterruptedException {
        ExternalCommand.Result result = run(timeout, arguments);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("docker " + String.join(" ", arguments) + " failed (" + result.exitCode()
                    + "): " + result.stderr().strip());
        }
        return result.stdout().strip();
    }

    /**
     * Builds (or finds in the cache) the local images; returns NAME=image pairs such as
     * JRE_IMAGE, JDK_IMAGE, REDIS_IMAGE, NGINX_IMAGE, S3_IMAGE, BASE_IMAGE.
     */
    Map<String, String> buildLocalImages(Path s3proxyLib) throws IOException, InterruptedException {
        if (!Files.isDirectory(s3proxyLib)) {
            throw new IllegalStateException(s3proxyLib + " is missing: Maven copies s3proxy there (generate-test-resources)");
        }
        ExternalCommand.Result result = ExternalCommand.run(
                List.of(SCRIPTS.resolve("build-images.sh").toString(), s3proxyLib.toString()),
                RepositoryFiles.root(), Map.of("DOCKER_CLI", docker), List.of(), Duration.ofMinutes(15));
        System.out.print(result.stderr());
        if (result.exitCode() != 0) {
            throw new IllegalStateException("build-images.sh failed (" + result.exitCode() + ")");
        }
        Map<String, String> images = new LinkedHashMap<>();
        result.stdout().lines().filter((line) -> line.contains("=")).forEach((line) -> {
            int eq = line.indexOf('=');
            images.put(line.substring(0, eq), line.substring(eq + 1));
        });
        return images;
    }

    /** docker build of deployments/Dockerfile with the local JDK and Java runtime as its bases. */
    void buildAppImage(String jdkImage, String jreImage) throws IOException, InterruptedException {
        // Host network: the build stage's Maven reaches Maven Central although the daemon makes
        // no NAT rules (dockerd.sh runs it with --iptables=false).
        ExternalCommand.Result result = run(Duration.ofMinutes(15), "build", "--network=host",
                "--build-arg", "JDK_IMAGE=" + jdkImage, "--build-arg", "JRE_IMAGE=" + jreImage,
                "-f", "deployments/Dockerfile", "-t", APP_IMAGE, ".");
        if (result.exitCode() != 0) {
            String log = result.stderr();
            throw new IllegalStateException("docker build of deployments/Dockerfile failed:\n"
                    + log.substring(Math.max(0, log.length() - 4000)));
        }
        // The previous build's image, untagged now, would pile up in the cache run after run.
        run(Duration.ofMinutes(2), "image", "prune", "-f");
    }

    long imageSize(String image) throws IOException, InterruptedException {
        return Long.parseLong(ok(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Size}}", image));
    }
}
