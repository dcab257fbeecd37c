package dev.randomchat.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.Moderation;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric that the Grafana dashboard and the Prometheus alert rules of
 * deployments/monitoring name is exported by a real server process on its management port, after
 * the activity that creates the lazily registered ones (a pair, a message, an upload, refusals).
 */
class MonitoringMetricsIntegrationTests {

    private static final Path MONITORING = Path.of("..", "deployments", "monitoring");
    /** Metric names in PromQL: the ones of this service and of the JVM. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:chat|jvm)_[a-z0-9_]+)\\b");

    @Test
    void theServerExportsEveryMetricTheDashboardAndTheAlertsUse() throws Exception {
        Set<String> used = new TreeSet<>();
        used.addAll(metricNames(Files.readString(MONITORING.resolve("grafana/dashboards/random-chat.json"))));
        used.addAll(metricNames(Files.readString(MONITORING.resolve("prometheus/alerts.yml"))));
        assertThat(used).contains("chat_ready", "chat_sockets_open", "chat_match_time_seconds_bucket", "jvm_gc_pause_seconds_count");

        try (ServerProcess server = ServerProcess.start(ChatServer.newCluster(), Map.of())) {
            someActivity(server);
            collectGarbage(server);
            HttpResponse<String> metrics = Guests.send(HttpRequest.newBuilder(server.managementUri("/actuator/prometheus"))
                    .timeout(WsClient.WAIT).build());
            assertThat(metrics.statusCode()).isEqualTo(200);
            Set<String> exported = exportedNames(metrics.body());

            assertThat(exported).as("exported by the server").containsAll(used);
            assertThat(metrics.body()).contains("chat_ready 1.0");
        }
    }

    @Test
    void exportsTheLatencyOfRedisCommandsWithLettucesOwnTimers() {
        try (ChatServer server = ChatServer.start(Map.of())) {
            Guests.create(server.baseUrl(), "Ada");
            HttpResponse<String> metrics = Guests.send(HttpRequest.newBuilder(server.managementUri("/actuator/prometheus"))
                    .timeout(WsClient.WAIT).build());

            assertThat(metrics.body())
                    .as("a timer per Redis command, e.g. those that created the guest")
                    .containsPattern("(?m)^lettuce_command_completion_seconds_count\\{[^}]*command=\"[A-Z]+\"[^}]*} [1-9]")
                    .as("no observation per command (it cost the hot path about 8% of its CPU)")
                    .doesNotContain("lettuce_seconds_count")
                    .contains("chat_redis_reconnects_total 0.0");
        }
    }

    /** A pair made, a message and a file sent, an upgrade, a frame and an upload refused. */
    private static void someActivity(ServerProcess server) {
        JsonNode ada = Guests.create(server.baseUrl(), "Ada");
        JsonNode bob = Guests.create(server.baseUrl(), "Bob");
        try (WsClient adaSocket = WsClient.connect(server.wsUri(), ada.get("token").asString());
                WsClient bobSocket = WsClient.connect(server.wsUri(), bob.get("token").asString())) {
            adaSocket.send(Map.of("type", "match"));
            adaSocket.await("waiting");
            bobSocket.send(Map.of("type", "match"));
            JsonNode matched = bobSocket.await("matched");
            adaSocket.await("matched");
            bobSocket.send(Map.of("type", "send", "cmid", "m1", "text", "hello"));
            bobSocket.await("ack");
            String channel = matched.get("channelId").asString();
            URI files = server.uri("/api/channels/" + channel + "/files");
            HttpResponse<String> upload = Moderation.uploadPng(files, matched.get("token").asString());
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
            assertThat(Moderation.uploadPng(files, null).statusCode()).isEqualTo(401);
            bobSocket.sendMalformed("{not json");
            bobSocket.await("error");
            assertThat(WsClient.upgradeStatus(server.wsUri(), Map.of())).isEqualTo(401);
        }
    }

    /** A GC has run (its pause meters exist only after one): asked of the JVM with jcmd. */
    private static void collectGarbage(ServerProcess server) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(server.process().pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run finished").isTrue();
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Set<String> exportedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
