package dev.randomchat.system;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The servers ride out Redis going away: at start-up, and in the middle of a chat. */
class RedisFaultIntegrationTests {

    /** The bound: after Redis is back, new pairs match and chat within this. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    @Test
    void startsWithoutRedisReportsNotReadyAndBecomesReadyWhenRedisAppears() throws IOException {
        int port = RedisProcess.freePort();
        try (ChatServer server = ChatServer.start(Map.of("REDIS_ADDRS", "127.0.0.1:" + port))) {
            assertThat(readiness(server)).isEqualTo(503);
            assertThat(Guests.post(server.uri("/api/guests"), "{\"name\":\"Early\"}").statusCode()).isEqualTo(503);
            try (RedisProcess redis = RedisProcess.start(port)) {
                await().atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).until(() -> readiness(server) == 200);
                try (Visitor ada = Visitor.arrive(server, "Ada"); Visitor bob = Visitor.arrive(server, "Bob")) {
                    ada.send(Map.of("type", "match"));
                    ada.await("waiting");
                    bob.send(Map.of("type", "match"));
                    bob.await("matched");
                    ada.await("matched");
                    ada.send(Map.of("type", "send", "cmid", "m1", "text", "hello"));
                    assertThat(bob.await("message").get("text").asString()).isEqualTo("hello");
                }
            }
        }
    }

    @Test
    void ridesOutARedisRestartMidChatWithoutLosingAnAckedMessage(@TempDir Path data) throws Exception {
        int port = RedisProcess.freePort();
        String[] durable = {"--appendonly", "yes", "--appendfsync", "always", "--dir", data.toString()};
        RedisProcess redis = RedisProcess.start(port, durable);
        String cluster = ChatServer.newCluster();
        Map<String, String> env = Map.of("REDIS_ADDRS", "127.0.0.1:" + port);
        try (ChatServer one = ChatServer.start(cluster, env); ChatServer two = ChatServer.start(cluster, env);
                Visitor ada = Visitor.arrive(one, "Ada"); Visitor bob = Visitor.arrive(two, "Bob")) {
            Visitor.pair(ada, bob);
            ada.send(Map.of("type", "send", "cmid", "before", "text", "before the outage"));
            assertThat(ada.await("ack").get("seq").asLong()).isEqualTo(1);
            bob.await("message");

            redis.kill();
            await().atMost(RECOVERY).until(() -> readiness(one) == 503 && readiness(two) == 503);
            ada.send(Map.of("type", "send", "cmid", "during", "text", "while Redis is down"));
            JsonNode failed = ada.await("error");
            assertThat(failed.get("code").asString()).isEqualTo("internal");
            assertThat(failed.get("ref").asString()).isEqualTo("during");

            redis = RedisProcess.start(port, durable);
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
                    .until(() -> readiness(one) == 200 && readiness(two) == 200);
            // The client retries what failed, with the same cmid; the acked message is still there.
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                ada.send(Map.of("type", "send", "cmid", "during", "text", "while Redis is down"));
                assertThat(ada.socket().await(f -> "ack".equals(f.path("type").asString())
                        && "during".equals(f.path("cmid").asString()), Duration.ofSeconds(2)).get("seq").asLong())
                        .isEqualTo(2);
            });
            JsonNode delivered = bob.socket().await(f -> "message".equals(f.path("type").asString())
                    && "during".equals(f.path("cmid").asString()), RECOVERY);
            assertThat(delivered.get("seq").asLong()).isEqualTo(2);

            try (Visitor cat = Visitor.arrive(one, "Cat"); Visitor dan = Visitor.arrive(two, "Dan")) {
                cat.send(Map.of("type", "match"));
                cat.await("waiting");
                dan.send(Map.of("type", "match"));
                dan.await("matched");
                cat.await("matched");
                dan.send(Map.of("type", "send", "cmid", "new", "text", "a new pair after the restart"));
                assertThat(cat.socket().await(f -> "message".equals(f.path("type").asString()), RECOVERY)
                        .get("text").asString()).isEqualTo("a new pair after the restart");
            }
        }
        finally {
            redis.close();
        }
    }

    private static int readiness(ChatServer server) {
        HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(server.uri("/actuator/health/readiness"))
                .timeout(WsClient.WAIT).build());
        return response.statusCode();
    }
}
