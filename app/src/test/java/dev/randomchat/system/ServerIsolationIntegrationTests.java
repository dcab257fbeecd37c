package dev.randomchat.system;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several servers in one JVM, as the multi-server and fault tests run them: stopping one must not
 * stop the others (their event loops must be their own, not Reactor Netty's global ones).
 */
class ServerIsolationIntegrationTests {

    @Test
    void stoppingOneServerLeavesTheOthersServing() {
        try (ChatServer stays = ChatServer.start(Map.of()); ChatServer stops = ChatServer.start(Map.of())) {
            String token = Guests.create(stays.baseUrl(), "Ada").path("token").asString();

            stops.close();

            int status = Guests.send(HttpRequest.newBuilder(stays.uri("/actuator/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build()).statusCode();
            assertThat(status).isEqualTo(200);
            try (WsClient client = WsClient.connect(stays.wsUri(), token)) {
                client.await("hello");
            }
        }
    }
}
