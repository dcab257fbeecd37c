package dev.randomchat.system;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.TestRedis;
import dev.randomchat.support.Visitor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis connection details registered by someone else, as a test's {@code @ServiceConnection}
 * container registers them, take the place of {@code REDIS_ADDRS} and of the embedded Redis.
 */
class RedisConnectionDetailsIntegrationTests {

    @Test
    void connectsWhereRegisteredConnectionDetailsPointRatherThanToRedisAddrs() throws Exception {
        String nowhere = "127.0.0.1:" + RedisProcess.freePort();
        String redis = TestRedis.address();
        int colon = redis.lastIndexOf(':');
        DataRedisConnectionDetails details = new DataRedisConnectionDetails() {

            @Override
            public Standalone getStandalone() {
                return Standalone.of(redis.substring(0, colon), Integer.parseInt(redis.substring(colon + 1)));
            }
        };
        try (ChatServer server = ChatServer.start(ChatServer.newCluster(), Map.of("REDIS_ADDRS", nowhere),
                        context -> context.registerBean(DataRedisConnectionDetails.class, () -> details));
                Visitor ada = Visitor.arrive(server, "Ada");
                Visitor bob = Visitor.arrive(server, "Bob")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("matched");
            ada.await("matched");
            ada.send(Map.of("type", "send", "cmid", "m1", "text", "through the registered Redis"));

            assertThat(bob.await("message").get("text").asString()).isEqualTo("through the registered Redis");
            assertThat(server.context().getBeanNamesForType(RedisConnectionAutoConfiguration.EmbeddedRedis.class))
                    .as("REDIS_ADDRS's connection set-up stepped aside").isEmpty();
        }
    }
}
