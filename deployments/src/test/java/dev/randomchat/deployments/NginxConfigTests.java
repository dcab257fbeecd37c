package dev.randomchat.deployments;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.randomchat.deployments.NginxConfig.Directive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** deployments/nginx/default.conf, the Compose stack's entry point, parsed into directives. */
class NginxConfigTests {

    /** docs/protocol.md 2.4: the server pings every 25 s. */
    static final Duration SERVER_PING_INTERVAL = Duration.ofSeconds(25);

    /** MAX_UPLOAD_BYTES' default. */
    static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;

    private static final Pattern NGINX_IMAGE = Pattern.compile("nginx:(\\d+)\\.(\\d+)(?:\\.(\\d+))?-alpine");

    private final Directive config = NginxConfig.parse(RepositoryFiles.read("deployments/nginx/default.conf"));

    @Test
    void balancesOverEveryReplicaOfTheChatServiceWithoutStickiness() {
        Directive upstream = upstream();
        List<Directive> servers = upstream.all("server");

        assertThat(servers).hasSize(1);
        assertThat(servers.get(0).arg(0)).isEqualTo("chat:8080");
        assertThat(servers.get(0).args()).as("re-resolve replicas as they come and go").contains("resolve");
        assertThat(upstream.first("zone")).as("`resolve` needs a shared zone").isPresent();
        assertThat(upstream.block()).extracting(Directive::name).doesNotContain("ip_hash", "hash", "sticky");
        assertThat(config.first("resolver").orElseThrow().arg(0)).as("Docker's DNS").isEqualTo("127.0.0.11");
    }

    @Test
    void usesAnNginxImageThatSupportsResolvingUpstreamServers() {
        String image = new ComposeInterpolation(Map.of()).interpolate(ComposeFileTests.map(ComposeFileTests.map(
                RepositoryFiles.yamlMap(ComposeFileTests.COMPOSE_FILE).get("services")).get("nginx")).get("image").toString());
        Matcher version = NGINX_IMAGE.matcher(image);

        assertThat(version.matches()).as("pinned nginx alpine image: %s", image).isTrue();
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        assertThat(major * 1000 + minor).as("`server ... resolve` is open source since 1.27.3").isGreaterThanOrEqualTo(1028);
    }

    @Test
    void listensOnPort80AndAcceptsUploadsAboveTheServerLimit() {
        Directive server = server();

        assertThat(server.all("listen")).extracting((listen) -> listen.arg(0)).contains("80");
        assertThat(size(server.first("client_max_body_size").orElseThrow().arg(0)))
                .isGreaterThan(DEFAULT_MAX_UPLOAD_BYTES);
    }

    @Test
    void upgradesWebsocketsAndKeepsThemOpenFarLongerThanThePingInterval() {
        Directive ws = location("/ws");

        assertThat(ws.first("proxy_pass").orElseThrow().arg(0)).isEqualTo("http://" + upstream().arg(0));
        assertThat(ws.first("proxy_http_version").or(() -> server().first("proxy_http_version")).orElseThrow().arg(0))
                .isEqualTo("1.1");
        assertThat(headers(ws)).containsEntry("Upgrade", "$http_upgrade").containsEntry("Connection", "$connection_upgrade");
        Directive upgradeMap = config.all("map").stream()
                .filter((map) -> map.arg(1).equals("$connection_upgrade"))
                .findFirst()
                .orElseThrow();
        assertThat(upgradeMap.first("default").orElseThrow().arg(0)).isEqualTo("upgrade");
        for (String timeout : List.of("proxy_read_timeout", "proxy_send_timeout")) {
            assertThat(duration(ws.first(timeout).orElseThrow().arg(0))).as(timeout)
                    .isGreaterThanOrEqualTo(Duration.ofHours(1))
                    .isGreaterThan(SERVER_PING_INTERVAL.multipliedBy(10));
        }
    }

    @Test
    void overwritesEveryForwardedHeaderAClientSentOnEveryProxiedLocation() {
        List<Directive> proxied = server().all("location").stream()
                .filter((location) -> location.first("proxy_pass").isPresent())
                .toList();

        assertThat(proxied).extracting((location) -> location.args().get(location.args().size() - 1))
                .contains("/ws", "/", "/actuator/health");
        for (Directive location : proxied) {
            assertThat(headers(location)).as("location %s", location.args())
                    .containsEntry("X-Forwarded-For", "$remote_addr")
                    .containsEntry("X-Forwarded-Proto", "$scheme")
                    .containsEntry("X-Forwarded-Host", "$http_host")
                    .containsEntry("Forwarded", "")
                    .containsEntry("Host", "$http_host");
        }
        assertThat(RepositoryFiles.read("deployments/nginx/default.conf")).as("a client's list is never extended")
                .doesNotContain("$proxy_add_x_forwarded_for", "$http_x_forwarded_");
    }

    @Test
    void refusesMetricsAndTheOperatorApiAndPassesOnlyHealth() {
        for (String refused : List.of("/actuator/", "/api/admin", "/admin")) {
            Directive location = location(refused);
            assertThat(location.args()).as(refused).startsWith("^~");
            assertThat(location.first("return").orElseThrow().arg(0)).as(refused).isEqualTo("404");
        }
        for (String health : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            Directive location = location(health);
            assertThat(location.arg(0)).as("exact match, which wins over ^~ /actuator/").isEqualTo("=");
            assertThat(location.first("proxy_pass")).as(health).isPresent();
        }
        assertThat(server().all("location")).as("no regex location that could take /actuator/prometheus")
                .noneMatch((location) -> location.arg(0).startsWith("~"));
    }

    @Test
    void servesAHealthEndpointForTheComposeHealthcheck() {
        Directive health = location("/nginx-health");
        String composeHealthcheck = String.join(" ", ComposeFileTests.strings(ComposeFileTests.map(ComposeFileTests.map(
                ComposeFileTests.map(RepositoryFiles.yamlMap(ComposeFileTests.COMPOSE_FILE).get("services")).get("nginx"))
                .get("healthcheck")).get("test")));

        assertThat(health.first("return").orElseThrow().arg(0)).isEqualTo("200");
        assertThat(composeHealthcheck).contains("http://127.0.0.1/nginx-health");
    }

    @Test
    void parserRejectsUnbalancedBlocksAndMissingSemicolons() {
        assertThatIllegalArgumentException().isThrownBy(() -> NginxConfig.parse("server { listen 80; "));
        assertThatIllegalArgumentException().isThrownBy(() -> NginxConfig.parse("listen 80; }"));
        assertThatIllegalArgumentException().isThrownBy(() -> NginxConfig.parse("server { listen 80 }"));
    }

    private Directive upstream() {
        return config.all("upstream").stream().findFirst().orElseThrow();
    }

    private Directive server() {
        return config.all("server").stream().findFirst().orElseThrow();
    }

    private Directive location(String path) {
        return server().all("location").stream()
                .filter((location) -> location.args().get(location.args().size() - 1).equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no location " + path));
    }

    /**
     * The proxy_set_header directives in effect in a location: its own, or, when it has none, the
     * server's (nginx inherits them only into a location that sets none).
     */
    private Map<String, String> headers(Directive location) {
        Directive scope = location.all("proxy_set_header").isEmpty() ? server() : location;
        return scope.all("proxy_set_header").stream()
                .collect(java.util.stream.Collectors.toMap((header) -> header.arg(0),
                        (header) -> header.args().size() > 1 ? header.arg(1) : ""));
    }

    static long size(String value) {
        Matcher matcher = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(value);
        assertThat(matcher.matches()).as("size %s", value).isTrue();
        long number = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2).toLowerCase()) {
            case "k" -> number * 1024;
            case "m" -> number * 1024 * 1024;
            case "g" -> number * 1024 * 1024 * 1024;
            default -> number;
        };
    }

    private static Duration duration(String value) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value);
        assertThat(matcher.matches()).as("time %s", value).isTrue();
        long number = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(number);
            case "m" -> Duration.ofMinutes(number);
            case "h" -> Duration.ofHours(number);
            case "d" -> Duration.ofDays(number);
            default -> Duration.ofSeconds(number);
        };
    }
}
