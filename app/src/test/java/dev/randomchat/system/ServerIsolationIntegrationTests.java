package dev.randomchat.system;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several servers in one JVM, as the multi-server and fault tests run them: stopping one must not
 * stop the others (their event loops must be their own, not Reactor Netty's global ones).
 */
class ServerIsolationIntegrationTests {

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void stoppingOneServerLeavesTheOthersServing() {
        try (ChatServer stays = ChatServer.start(Map.of()); ChatServer stops = ChatServer.start(Map.of())) {
            String token = Guests.create(stays.baseUrl(), "Ada").path("token").asString();

            stops.close();

            assertThat(healthStatus(stays)).as("health of the server still running").isEqualTo(200);
            try (WsClient client = WsClient.connect(stays.wsUri(), token)) {
                client.await("hello");
            }
        }
    }

    /** The status of {@code /actuator/health}, or -1 when nothing answers. */
    private static int healthStatus(ChatServer server) {
        try {
            return RawHttp.once(server.port(), ANSWER_TIMEOUT, "GET", "/actuator/health").status();
        }
        catch (IOException ex) {
            return -1;
        }
    }
}
