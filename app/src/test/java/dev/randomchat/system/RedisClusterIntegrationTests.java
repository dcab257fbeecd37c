package dev.randomchat.system;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.TestRedisCluster;
import dev.randomchat.support.Visitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two servers on a three-master Redis Cluster: the same features, with sharded Pub/Sub. */
class RedisClusterIntegrationTests {

    /** Several topology refreshes (one a second, set below) and the catch-up ticker's many ticks. */
    private static final Duration QUIET = Duration.ofSeconds(5);

    private static TestRedisCluster redis;
    private static ChatServer one;
    private static ChatServer two;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(TestRedisCluster.available(),
                "Redis Cluster tests need redis-server 7 and redis-cli on PATH (Debian: redis-server)");
        redis = TestRedisCluster.start();
        String cluster = ChatServer.newCluster();
        // A topology refresh every second: the test below sees many of them in a few seconds.
        Map<String, String> env = Map.of("REDIS_ADDRS", redis.addresses(), "REDIS_TOPOLOGY_REFRESH_SECONDS", "1");
        one = ChatServer.start(cluster, env);
        two = ChatServer.start(cluster, env);
    }

    @AfterAll
    static void stop() {
        if (two != null) {
            two.close();
        }
        if (one != null) {
            one.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void matchesChatsResumesAndLeavesAcrossServersWithShardedPubSub() {
        long publishedBefore = redis.calls("spublish");
        try (Visitor ada = Visitor.arrive(one, "Ada"); Visitor bob = Visitor.arrive(two, "Bob")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            JsonNode matched = ada.await("matched");
            bob.await("matched");
            String adaToken = matched.get("token").asString();

            ada.send(Map.of("type", "send", "cmid", "c1", "text", "hello over the cluster"));
            assertThat(bob.await("message").get("text").asString()).isEqualTo("hello over the cluster");
            long seq = ada.await("ack").get("seq").asLong();

            Visitor back = ada.reconnect(two);
            bob.send(Map.of("type", "send", "cmid", "c2", "text", "while you moved"));
            bob.await("ack");
            back.send(Map.of("type", "join", "token", adaToken, "after", seq));
            assertThat(back.await("message").get("text").asString()).isEqualTo("while you moved");
            assertThat(back.await("joined").get("lastSeq").asLong()).isEqualTo(seq + 1);

            bob.send(Map.of("type", "leave"));
            assertThat(back.await("ended").get("reason").asString()).isEqualTo("left");
            bob.await("ended");
            back.close();
        }
        assertThat(redis.calls("spublish") - publishedBefore).as("SPUBLISH calls").isGreaterThanOrEqualTo(3);
        assertThat(redis.calls("publish")).as("plain PUBLISH calls").isZero();
    }

    @Test
    void takesNoTopologyRefreshForAnOutageAndCatchesNoSocketUp() {
        try (Visitor ada = Visitor.arrive(one, "Ada"); Visitor bob = Visitor.arrive(two, "Bob")) {
            Visitor.pair(ada, bob);
            ada.send(Map.of("type", "send", "cmid", "q1", "text", "before the quiet"));
            bob.await("message");
            double replayedBefore = counter(one, "chat.messages.replayed") + counter(two, "chat.messages.replayed");

            await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() ->
                    counter(one, "chat.redis.reconnects") == 0 && counter(two, "chat.redis.reconnects") == 0);

            assertThat(counter(one, "chat.messages.replayed") + counter(two, "chat.messages.replayed"))
                    .as("messages replayed by a catch-up that no outage asked for").isEqualTo(replayedBefore);
            ada.send(Map.of("type", "send", "cmid", "q2", "text", "after the quiet"));
            assertThat(bob.await("message").get("text").asString()).isEqualTo("after the quiet");
        }
    }

    private static double counter(ChatServer server, String name) {
        return server.bean(MeterRegistry.class).get(name).counter().count();
    }
}
