package dev.randomchat.deployments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deployments/docker-compose.yaml: validated by Debian's docker-compose 1.29 where it is
 * installed (CI installs it), and its essentials checked on the parsed YAML everywhere.
 */
class ComposeFileTests {

    static final String COMPOSE_FILE = "deployments/docker-compose.yaml";

    static final String ENV_EXAMPLE = "deployments/.env.example";

    /** docker-compose reads only local files for `config`; this bounds a stuck start-up. */
    private static final Duration COMPOSE_TIMEOUT = Duration.ofSeconds(60);

    /** The server's default spring.lifecycle.timeout-per-shutdown-phase (application.yaml). */
    private static final Duration SHUTDOWN_PHASE = Duration.ofSeconds(20);

    private static final List<String> SECRETS = List.of("JWT_SECRET", "REDIS_PASSWORD", "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD", "ADMIN_TOKEN");

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?");

    private final Map<String, String> exampleEnv = ComposeInterpolation.parseEnvFile(RepositoryFiles.read(ENV_EXAMPLE));

    private final Map<Object, Object> compose = RepositoryFiles.yamlMap(COMPOSE_FILE);

    @SuppressWarnings("unchecked")
    private final Map<Object, Object> resolved = (Map<Object, Object>) new ComposeInterpolation(exampleEnv).apply(compose);

    @Test
    void passesDockerComposeConfigValidationWithTheExampleEnvFile(@TempDir Path tempDir) throws Exception {
        Optional<Path> dockerCompose = ExternalCommand.onPath("docker-compose");
        assumeTrue(dockerCompose.isPresent(),
                "docker-compose is not installed, so `docker-compose config -q` was skipped "
                        + "(apt-get install docker-compose; CI installs it)");
        Path envFile = tempDir.resolve("example.env");
        Files.copy(RepositoryFiles.path(ENV_EXAMPLE), envFile);

        ExternalCommand.Result result = ExternalCommand.run(
                List.of(dockerCompose.get().toString(), "--env-file", envFile.toString(), "-f",
                        RepositoryFiles.path(COMPOSE_FILE).toString(), "config", "-q"),
                RepositoryFiles.root(), Map.of(), List.copyOf(exampleEnv.keySet()), COMPOSE_TIMEOUT);

        assertThat(result.exitCode()).as("docker-compose config -q: %s", result.stderr()).isZero();
        assertThat(result.stderr()).as("warnings such as unset variables").doesNotContain("WARNING");
    }

    @Test
    void hasNoTopLevelNameKeyThatDockerCompose129Rejects() {
        assertThat(compose).doesNotContainKey("name");
        assertThat(compose.keySet()).allMatch((key) -> List.of("services", "volumes", "networks",
                "configs", "secrets").contains(key) || key.toString().startsWith("x-"));
    }

    @Test
    void runsAtLeastTwoChatServersFromTheRepositoryImage() {
        Map<Object, Object> chat = service("chat");

        assertThat(chat.get("build")).isEqualTo(Map.of("context", "..", "dockerfile", "deployments/Dockerfile"));
        assertThat(RepositoryFiles.path("deployments/Dockerfile")).isRegularFile();
        assertThat(((Number) map(chat.get("deploy")).get("replicas")).intValue()).isGreaterThanOrEqualTo(2);
        assertThat(chat).as("a fixed container_name forbids replicas").doesNotContainKey("container_name");
    }

    @Test
    void publishesOnlyTheProxyOnPort80() {
        List<String> nginxPorts = strings(service("nginx").get("ports"));

        assertThat(nginxPorts).hasSize(1);
        assertThat(nginxPorts.get(0)).endsWith(":80");
        assertThat(new ComposeInterpolation(Map.of()).interpolate(nginxPorts.get(0))).isEqualTo("80:80");
        services().forEach((name, service) -> {
            // coturn publishes the TURN ports browsers relay media through (CoturnDeploymentTests).
            if (!name.equals("nginx") && !name.equals("coturn")) {
                assertThat(map(service)).as("service %s", name).doesNotContainKey("ports");
            }
        });
    }

    @Test
    void proxiesWithTheNginxConfigOfThisDirectory() {
        String mount = strings(service("nginx").get("volumes")).get(0);

        assertThat(mount).isEqualTo("./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro");
        assertThat(RepositoryFiles.path("deployments/nginx/default.conf")).isRegularFile();
        assertThat(map(service("nginx").get("depends_on"))).containsKey("chat");
    }

    @Test
    void checksTheHealthOfEveryService() {
        services().forEach((name, service) -> {
            Map<Object, Object> healthcheck = map(map(service).get("healthcheck"));
            assertThat(strings(healthcheck.get("test"))).as("healthcheck of %s", name).isNotEmpty();
            assertThat(healthcheck).as("healthcheck of %s", name).containsKeys("interval", "timeout", "retries");
        });
        assertThat(String.join(" ", strings(map(service("chat").get("healthcheck")).get("test"))))
                .contains("/actuator/health/");
    }

    @Test
    void startsEachServiceOnlyAfterItsDependenciesAreHealthy() {
        List<String> dependencies = new ArrayList<>();
        services().forEach((name, service) -> {
            Object dependsOn = map(service).get("depends_on");
            if (dependsOn != null) {
                map(dependsOn).forEach((dependency, settings) -> {
                    dependencies.add(name + "->" + dependency);
                    assertThat(map(settings)).as("%s depends on %s", name, dependency)
                            .containsEntry("condition", "service_healthy");
                    assertThat(services()).containsKey(dependency);
                });
            }
        });
        assertThat(dependencies).contains("nginx->chat", "chat->redis", "chat->minio");
    }

    @Test
    void connectsTheChatServersToRedisAndMinio() {
        Map<Object, Object> environment = resolvedEnvironment("chat");

        assertThat(environment.get("REDIS_ADDRS")).as("empty would start an embedded Redis per server")
                .isEqualTo("redis:6379");
        assertThat(environment.get("MINIO_ENDPOINT")).isEqualTo("http://minio:9000");
        assertThat(environment.get("REDIS_PASSWORD")).isEqualTo(resolvedEnvironment("redis").get("REDIS_PASSWORD"));
        assertThat(environment.get("MINIO_ACCESS_KEY")).isEqualTo(resolvedEnvironment("minio").get("MINIO_ROOT_USER"));
        assertThat(environment.get("MINIO_SECRET_KEY")).isEqualTo(resolvedEnvironment("minio").get("MINIO_ROOT_PASSWORD"));
        assertThat(environment.get("JWT_SECRET").toString().getBytes()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Integer.parseInt(environment.get("GUEST_POW_BITS").toString())).isPositive();
        assertThat(environment.get("ADMIN_TOKEN").toString()).isNotBlank();
    }

    @Test
    void keepsEverySecretInTheEnvFileWithAnExampleCommitted() {
        String composeText = RepositoryFiles.read(COMPOSE_FILE);
        List<String> required = ComposeInterpolation.requiredVariables(composeText);

        assertThat(required).containsAll(SECRETS.subList(0, 4));
        assertThat(exampleEnv).containsKeys(SECRETS.toArray(String[]::new));
        assertThat(exampleEnv.keySet()).containsAll(required);
        assertThat(exampleEnv.keySet()).as("every variable of the compose file is documented in the example")
                .containsAll(ComposeInterpolation.referencedVariables(composeText));
        assertThat(exampleEnv.get("MINIO_ROOT_PASSWORD")).as("MinIO wants 8 characters").hasSizeGreaterThanOrEqualTo(8);
        assertThat(composeText).as("secrets come from the env file, never from the compose file")
                .doesNotContainPattern("(?i)(password|secret|token)\\s*:\\s*[A-Za-z0-9]");
        assertThat(RepositoryFiles.read(".gitignore")).contains("deployments/.env");
    }

    @Test
    void runsRedis7WithAPassword() {
        Map<Object, Object> redis = service("redis");
        String command = String.join(" ", strings(resolvedService("redis").get("command")));

        assertThat(redis.get("image").toString()).startsWith("redis:7");
        assertThat(command).contains("--requirepass \"$REDIS_PASSWORD\"");
        assertThat(String.join(" ", strings(map(redis.get("healthcheck")).get("test")))).contains("PONG");
    }

    @Test
    void givesTheChatServersTimeToDrainBeforeTheyAreKilled() {
        Duration drain = Duration.ofSeconds(Long.parseLong(resolvedEnvironment("chat").get("SHUTDOWN_DRAIN_SECONDS").toString()));
        Duration grace = parseDuration(service("chat").get("stop_grace_period").toString());

        assertThat(grace).as("Docker's default of 10 s would kill servers before they close sockets with 1012")
                .isGreaterThanOrEqualTo(drain.plus(SHUTDOWN_PHASE));
    }

    static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text);
        assertThat(matcher.matches()).as("duration %s", text).isTrue();
        long seconds = 0;
        for (int group = 1; group <= 3; group++) {
            if (matcher.group(group) != null) {
                seconds += Long.parseLong(matcher.group(group)) * new long[] { 3600, 60, 1 }[group - 1];
            }
        }
        return Duration.ofSeconds(seconds);
    }

    private Map<Object, Object> services() {
        return map(compose.get("services"));
    }

    private Map<Object, Object> service(String name) {
        assertThat(services()).containsKey(name);
        return map(services().get(name));
    }

    private Map<Object, Object> resolvedService(String name) {
        return map(map(resolved.get("services")).get(name));
    }

    private Map<Object, Object> resolvedEnvironment(String name) {
        return map(resolvedService(name).get("environment"));
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<Object, Object>) node;
    }

    static List<String> strings(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return ((List<?>) node).stream().map(String::valueOf).toList();
    }
}
