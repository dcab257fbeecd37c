package dev.randomchat.socket;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server that shuts down turns unready, refuses new sockets, then closes its open ones with 1012.
 * A class of its own: stopping a server in this JVM must not take other tests' servers with it.
 */
class SocketShutdownIntegrationTests {

    private static final Duration WAIT = WsClient.WAIT;
    /** Long enough to watch readiness go down before the sockets close. */
    private static final String DRAIN_SECONDS = "2";

    private ChatServer server;

    @BeforeEach
    void startServer() {
        server = ChatServer.start(Map.of("SHUTDOWN_DRAIN_SECONDS", DRAIN_SECONDS));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void turnsUnreadyRefusesNewSocketsAndClosesOpenOnesWith1012() throws Exception {
        String token = Guests.create(server.baseUrl(), "Cy").path("token").asString();
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        WsClient client = WsClient.connect(server.wsUri(), token);
        client.await("hello");
        assertThat(readiness().status()).isEqualTo(200);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

        await().atMost(WAIT).ignoreExceptionsInstanceOf(IOException.class).until(() -> readiness().status() == 503);
        assertThat(readiness().body()).contains("OUT_OF_SERVICE");
        assertThat(WsClient.upgradeStatus(server.wsUri(), bearer)).isEqualTo(503);
        assertThat(client.isClosed()).as("open sockets stay during the drain delay").isFalse();
        assertThat(client.awaitClose(WAIT)).isEqualTo(1012);
        stopping.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
    }

    /** On a connection of its own each time, so the polling tests nothing but readiness. */
    private RawHttp.Response readiness() throws IOException {
        return RawHttp.once(server.port(), Duration.ofSeconds(2), "GET", "/actuator/health/readiness");
    }
}
