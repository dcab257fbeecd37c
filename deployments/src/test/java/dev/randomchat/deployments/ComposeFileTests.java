package dev.randomchat.deployments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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

    /** Values an operator must choose: empty in the example, required by the compose file. */
    static final List<String> SECRETS = List.of("JWT_SECRET", "REDIS_PASSWORD", "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD", "MINIO_APP_USER", "MINIO_APP_PASSWORD", "TURN_SECRET");

    /** What an operator writes for the TURN server: its public address (a documentation one here). */
    private static final Map<String, String> TURN_ADDRESSES = Map.of(
            "TURN_EXTERNAL_IP", "203.0.113.10",
            "TURN_URLS", "turn:203.0.113.10:3478?transport=udp,turn:203.0.113.10:3478?transport=tcp");

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?");

    private static final Pattern REPLACEABLE_IMAGE = Pattern.compile("^\\$\\{([A-Z_]+_IMAGE):-([^}]+)}$");

    private final Map<String, String> exampleEnv = ComposeInterpolation.parseEnvFile(RepositoryFiles.read(ENV_EXAMPLE));

    /** The example as an operator fills it in: every empty secret generated. */
    private final Map<String, String> filledEnv = filled(exampleEnv);

    private final Map<Object, Object> compose = RepositoryFiles.yamlMap(COMPOSE_FILE);

    @SuppressWarnings("unchecked")
    private final Map<Object, Object> resolved = (Map<Object, Object>) new ComposeInterpolation(filledEnv).apply(compose);

    @Test
    void passesDockerComposeConfigValidationWithTheExampleFilledIn(@TempDir Path tempDir) throws Exception {
        ExternalCommand.Result result = dockerComposeConfig(tempDir, filledEnv);

        assertThat(result.exitCode()).as("docker-compose config -q: %s", result.stderr()).isZero();
        assertThat(result.stderr()).as("warnings such as unset variables").doesNotContain("WARNING");
    }

    @Test
    void refusesToStartWithTheExampleAsItIsNamingTheMissingSecret(@TempDir Path tempDir) throws Exception {
        ExternalCommand.Result result = dockerComposeConfig(tempDir, exampleEnv);

        assertThat(result.exitCode()).as("the example holds no usable secret").isNotZero();
        assertThat(result.stderr()).containsAnyOf(SECRETS.stream().map((name) -> "set " + name).toArray(String[]::new));
    }

    @Test
    void keepsEverySecretEmptyInTheExampleWithHowToGenerateIt() {
        String example = RepositoryFiles.read(ENV_EXAMPLE);

        for (String secret : SECRETS) {
            assertThat(exampleEnv).as("%s in the example", secret).containsEntry(secret, "");
        }
        assertThat(exampleEnv).containsEntry("ADMIN_TOKEN", "");
        assertThat(example).contains("openssl rand -base64 48");
        assertThat(example + RepositoryFiles.read(COMPOSE_FILE)).as("the server refuses known placeholders")
                .doesNotContainIgnoringCase("change-me");
        assertThat(ComposeInterpolation.requiredVariables(RepositoryFiles.read(COMPOSE_FILE))).containsAll(SECRETS);
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
        assertThat(new ComposeInterpolation(Map.of()).interpolate(chat.get("image").toString())).isEqualTo("random-chat:local");
    }

    @Test
    void letsEveryImageBeReplacedWithTheUpstreamImageAsDefault() {
        Map<String, String> defaults = new java.util.TreeMap<>();
        services().forEach((name, service) -> {
            Matcher image = REPLACEABLE_IMAGE.matcher(map(service).get("image").toString());
            assertThat(image.matches()).as("image of %s is ${NAME_IMAGE:-upstream}", name).isTrue();
            defaults.put(name.toString(), image.group(2));
        });
        assertThat(defaults.get("nginx")).startsWith("nginx:1.");
        assertThat(defaults.get("redis")).startsWith("redis:7");
        assertThat(defaults.get("minio")).startsWith("quay.io/minio/minio:RELEASE.");
        assertThat(defaults.get("minio-init")).startsWith("quay.io/minio/mc:RELEASE.");
    }

    @Test
    void publishesTheProxyAndOnlyOnLoopbackTheManagementPorts() {
        List<String> nginxPorts = strings(service("nginx").get("ports"));
        List<String> chatPorts = strings(service("chat").get("ports"));
        ComposeInterpolation defaults = new ComposeInterpolation(Map.of());

        assertThat(nginxPorts).hasSize(1);
        assertThat(defaults.interpolate(nginxPorts.get(0))).isEqualTo("0.0.0.0:80:80");
        assertThat(chatPorts).hasSize(1);
        assertThat(defaults.interpolate(chatPorts.get(0))).as("management port, one host port per replica")
                .matches("127\\.0\\.0\\.1:\\d+-\\d+:9090");
        assertThat(resolvedEnvironment("chat")).containsEntry("MANAGEMENT_PORT", "9090").containsEntry("HTTP_PORT", "8080");
        services().forEach((name, service) -> {
            // coturn publishes the TURN ports browsers relay media through (CoturnDeploymentTests);
            // the monitoring profile's UIs publish on loopback only (MonitoringFilesTests).
            if (!List.of("nginx", "chat", "coturn").contains(name)) {
                if (List.of("prometheus", "grafana").contains(name)) {
                    strings(map(service).get("ports")).forEach(port -> assertThat(port).as("service %s", name).startsWith("127.0.0.1:"));
                    return;
                }
                assertThat(map(service)).as("service %s", name).doesNotContainKey("ports");
            }
        });
    }

    @Test
    void trustsForwardedHeadersOnlyFromTheProxyNetwork() {
        Map<Object, Object> networks = map(resolved.get("networks"));
        String edgeSubnet = map(strings0(map(map(networks.get("edge")).get("ipam")).get("config")).get(0)).get("subnet").toString();

        assertThat(edgeSubnet).matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+");
        assertThat(resolvedEnvironment("chat")).containsEntry("TRUSTED_PROXIES", edgeSubnet);
        assertThat(strings(service("nginx").get("networks"))).containsExactly("edge");
        assertThat(strings(service("chat").get("networks"))).containsExactlyInAnyOrder("edge", "backend");
        for (String inside : List.of("redis", "minio", "minio-init")) {
            assertThat(strings(service(inside).get("networks"))).as(inside).containsExactly("backend");
        }
        assertThat(map(networks.get("backend"))).containsEntry("internal", true);
    }

    @Test
    void proxiesWithTheNginxConfigOfThisDirectory() {
        String mount = strings(service("nginx").get("volumes")).get(0);

        assertThat(mount).isEqualTo("./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro");
        assertThat(RepositoryFiles.path("deployments/nginx/default.conf")).isRegularFile();
        assertThat(map(service("nginx").get("depends_on"))).containsKey("chat");
    }

    @Test
    void checksTheHealthOfEveryLongRunningService() {
        services().forEach((name, service) -> {
            if (name.equals("minio-init")) {
                return;
            }
            Map<Object, Object> healthcheck = map(map(service).get("healthcheck"));
            assertThat(strings(healthcheck.get("test"))).as("healthcheck of %s", name).isNotEmpty();
            assertThat(healthcheck).as("healthcheck of %s", name).containsKeys("interval", "timeout", "retries");
        });
        assertThat(String.join(" ", strings(map(service("chat").get("healthcheck")).get("test"))))
                .contains("/actuator/health/");
    }

    @Test
    void startsEachServiceOnlyAfterItsDependenciesAreHealthyOrDone() {
        List<String> dependencies = new ArrayList<>();
        services().forEach((name, service) -> {
            Object dependsOn = map(service).get("depends_on");
            if (dependsOn != null) {
                map(dependsOn).forEach((dependency, settings) -> {
                    dependencies.add(name + "->" + dependency);
                    String expected = dependency.equals("minio-init") ? "service_completed_successfully" : "service_healthy";
                    assertThat(map(settings)).as("%s depends on %s", name, dependency).containsEntry("condition", expected);
                    assertThat(services()).containsKey(dependency);
                });
            }
        });
        assertThat(dependencies).contains("nginx->chat", "chat->redis", "chat->minio", "chat->minio-init", "minio-init->minio");
    }

    @Test
    void connectsTheChatServersToRedisAndToMinioAsTheBucketScopedUser() {
        Map<Object, Object> environment = resolvedEnvironment("chat");
        Map<Object, Object> init = resolvedEnvironment("minio-init");

        assertThat(environment.get("REDIS_ADDRS")).as("empty would start an embedded Redis per server")
                .isEqualTo("redis:6379");
        assertThat(environment.get("MINIO_ENDPOINT")).isEqualTo("http://minio:9000");
        assertThat(environment.get("REDIS_PASSWORD")).isEqualTo(resolvedEnvironment("redis").get("REDISCLI_AUTH"));
        assertThat(environment.get("MINIO_ACCESS_KEY")).isEqualTo(init.get("MINIO_APP_USER"))
                .isNotEqualTo(resolvedEnvironment("minio").get("MINIO_ROOT_USER"));
        assertThat(environment.get("MINIO_SECRET_KEY")).isEqualTo(init.get("MINIO_APP_PASSWORD"))
                .isNotEqualTo(resolvedEnvironment("minio").get("MINIO_ROOT_PASSWORD"));
        assertThat(environment).doesNotContainKeys("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD");
        assertThat(environment.get("MINIO_BUCKET")).isEqualTo(init.get("MINIO_BUCKET"));
        assertThat(environment.get("JWT_SECRET").toString().getBytes()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Integer.parseInt(environment.get("GUEST_POW_BITS").toString())).isPositive();
    }

    @Test
    void createsTheBucketAPolicyLimitedToItAndTheAppUserBeforeTheServersStart() {
        Map<Object, Object> init = service("minio-init");
        String script = String.join("\n", strings(resolvedService("minio-init").get("command")));

        assertThat(script).contains("mc mb --ignore-existing \"local/$MINIO_BUCKET\"",
                "mc admin policy create local random-chat-app", "mc admin user add local \"$MINIO_APP_USER\"",
                "mc admin policy attach local random-chat-app --user \"$MINIO_APP_USER\"",
                "arn:aws:s3:::$MINIO_BUCKET/*");
        assertThat(script).as("no wildcard actions or buckets").doesNotContain("s3:*", "arn:aws:s3:::*");
        assertThat(init.get("restart")).isEqualTo("no");
    }

    @Test
    void keepsSecretsInTheEnvFileOnly() {
        String composeText = RepositoryFiles.read(COMPOSE_FILE);

        assertThat(exampleEnv.keySet()).containsAll(ComposeInterpolation.requiredVariables(composeText));
        assertThat(exampleEnv.keySet()).as("every variable of the compose file is documented in the example")
                .containsAll(ComposeInterpolation.referencedVariables(composeText));
        assertThat(composeText).as("secrets come from the env file, never from the compose file")
                .doesNotContainPattern("(?i)(password|secret|token)\\s*:\\s*[A-Za-z0-9]");
        assertThat(RepositoryFiles.read(".gitignore")).contains("deployments/.env");
    }

    @Test
    void runsRedisAsNonRootWithAPasswordOutsideTheProcessListAndAMemoryLimit() {
        Map<Object, Object> redis = service("redis");
        String command = String.join(" ", strings(resolvedService("redis").get("command")));
        Map<Object, Object> environment = resolvedEnvironment("redis");

        assertThat(redis.get("user").toString()).isNotBlank().isNotIn("root", "0", "0:0");
        assertThat(command).contains("exec redis-server -", "requirepass \"$REDISCLI_AUTH\"")
                .doesNotContain("--requirepass");
        assertThat(command).contains("--maxmemory \"$REDIS_MAXMEMORY\"", "--maxmemory-policy noeviction");
        long maxmemory = NginxConfigTests.size(environment.get("REDIS_MAXMEMORY").toString().replace("mb", "m"));
        long limit = NginxConfigTests.size(resolvedService("redis").get("mem_limit").toString());
        assertThat(limit).as("room above maxmemory for the AOF rewrite").isGreaterThanOrEqualTo(maxmemory * 3 / 2);
        assertThat(String.join(" ", strings(map(redis.get("healthcheck")).get("test")))).contains("PONG");
    }

    @Test
    void givesTheChatServersTimeToDrainBeforeTheyAreKilled() {
        Duration drain = Duration.ofSeconds(Long.parseLong(resolvedEnvironment("chat").get("SHUTDOWN_DRAIN_SECONDS").toString()));
        Duration grace = parseDuration(service("chat").get("stop_grace_period").toString());

        assertThat(grace).as("Docker's default of 10 s would kill servers before they close sockets with 1012")
                .isGreaterThanOrEqualTo(drain.plus(SHUTDOWN_PHASE));
    }

    /** The example as an operator fills it in: every empty secret generated, the TURN address set. */
    static Map<String, String> filled(Map<String, String> example) {
        Map<String, String> env = new LinkedHashMap<>(example);
        SecureRandom random = new SecureRandom();
        for (String secret : SECRETS) {
            byte[] bytes = new byte[48];
            random.nextBytes(bytes);
            env.put(secret, secret.endsWith("_USER") ? "user" + HexFormat.of().formatHex(bytes, 0, 4)
                    : Base64.getEncoder().encodeToString(bytes));
        }
        TURN_ADDRESSES.forEach((name, value) -> {
            if (env.getOrDefault(name, "").isBlank()) {
                env.put(name, value);
            }
        });
        return env;
    }

    private static ExternalCommand.Result dockerComposeConfig(Path tempDir, Map<String, String> env) throws Exception {
        Optional<Path> dockerCompose = ExternalCommand.onPath("docker-compose");
        assumeTrue(dockerCompose.isPresent(),
                "docker-compose is not installed, so `docker-compose config -q` was skipped "
                        + "(apt-get install docker-compose; CI installs it)");
        Path envFile = tempDir.resolve("test.env");
        StringBuilder text = new StringBuilder();
        env.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        Files.writeString(envFile, text);
        List<String> unset = new ArrayList<>(env.keySet());
        unset.addAll(List.of("NGINX_IMAGE", "CHAT_IMAGE", "REDIS_IMAGE", "MINIO_IMAGE", "MINIO_MC_IMAGE"));
        return ExternalCommand.run(
                List.of(dockerCompose.get().toString(), "--env-file", envFile.toString(), "-f",
                        RepositoryFiles.path(COMPOSE_FILE).toString(), "config", "-q"),
                RepositoryFiles.root(), Map.of(), unset, COMPOSE_TIMEOUT);
    }

    private static List<Object> strings0(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return new ArrayList<>((List<?>) node);
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
