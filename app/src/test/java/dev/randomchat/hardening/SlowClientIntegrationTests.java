package dev.randomchat.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Visitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slowloris (docs/protocol.md 7): a connection whose request line, headers or body stop arriving for
 * {@code HTTP_IDLE_SECONDS} is closed, on the public and on the management port; an open
 * websocket, which is past its request, is not.
 */
class SlowClientIntegrationTests {

    private static final int IDLE_SECONDS = 1;
    /** The idle time, plus room for a busy machine; far below what a stalled client would hold otherwise. */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(IDLE_SECONDS + 10);

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = ChatServer.start(Map.of("HTTP_IDLE_SECONDS", Integer.toString(IDLE_SECONDS)));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void closesAConnectionWhoseRequestLineStalls() throws IOException {
        assertClosedAfterStalling(server.port(), "GET /actuator/health HTT");
    }

    @Test
    void closesAConnectionWhoseHeadersStall() throws IOException {
        assertClosedAfterStalling(server.port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
    }

    @Test
    void closesAConnectionWhoseBodyStalls() throws IOException {
        assertClosedAfterStalling(server.port(), "POST /api/guests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":");
    }

    @Test
    void closesStalledRequestsOnTheManagementPortToo() throws IOException {
        assertClosedAfterStalling(server.managementPort(), "GET /actuator/prometheus HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }

    @Test
    void leavesAQuietWebsocketOpen() {
        try (Visitor ada = Visitor.arrive(server, "Ada")) {
            await().during(Duration.ofSeconds(IDLE_SECONDS * 3L)).atMost(Duration.ofSeconds(IDLE_SECONDS * 3L + 10))
                    .until(() -> !ada.socket().isClosed());

            ada.send(Map.of("type", "ping"));
            ada.await("pong");
        }
    }

    /** Sends {@code start} and nothing more; the server must end the connection within the bound. */
    private static void assertClosedAfterStalling(int port, String start) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout((int) CLOSED_WITHIN.toMillis());
            long began = System.nanoTime();
            socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            readUntilClosed(socket.getInputStream());
            Duration held = Duration.ofNanos(System.nanoTime() - began);

            assertThat(held).as("time the stalled connection was held")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(IDLE_SECONDS * 1000L - 200))
                    .isLessThan(CLOSED_WITHIN);
        }
    }

    /** Reads (any answer, e.g. a 408) until the server closes; fails if it never does. */
    private static void readUntilClosed(InputStream in) {
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // discard
            }
        }
        catch (SocketTimeoutException ex) {
            throw new AssertionError("the stalled connection was still open after " + CLOSED_WITHIN, ex);
        }
        catch (IOException ex) {
            // A reset is a close too.
        }
    }
}
