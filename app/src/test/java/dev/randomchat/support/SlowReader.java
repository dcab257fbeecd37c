package dev.randomchat.support;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;

import static dev.randomchat.support.Messages.isMessage;
import static dev.randomchat.support.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guest on a raw socket with a small receive buffer, matched with Bob, that reads nothing once
 * matched: what the server's per-socket byte cap is for. Bob talks until the server closes the
 * slow socket, and must be delivered to all along.
 */
public final class SlowReader implements AutoCloseable {

    /** How long Bob may talk before the server has to have closed the slow socket. */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(60);

    private final ChatServer server;
    private final RawWebSocket slow;
    private final Visitor bob;

    private SlowReader(ChatServer server, RawWebSocket slow, Visitor bob) {
        this.server = server;
        this.slow = slow;
        this.bob = bob;
    }

    /** The slow guest waits and Bob meets it, both on {@code server}. */
    public static SlowReader matched(ChatServer server) throws IOException {
        JsonNode slowGuest = Guests.create(server.baseUrl(), "Slow");
        RawWebSocket slow = RawWebSocket.connect(server.wsUri(), slowGuest.get("token").asString(), 4096);
        Visitor bob = Visitor.arrive(server, "Bob");
        try {
            slow.readText();
            slow.sendText("{\"type\":\"match\"}");
            assertThat(slow.readText()).contains("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("matched");
            return new SlowReader(server, slow, bob);
        }
        catch (IOException | RuntimeException | AssertionError ex) {
            bob.close();
            slow.close();
            throw ex;
        }
    }

    /** Slow sockets the server has closed so far ({@code chat.sockets.slow.closed}). */
    public double slowCloses() {
        return server.bean(MeterRegistry.class).counter("chat.sockets.slow.closed").count();
    }

    /**
     * Bob sends messages of {@code size} characters, each delivered back to him before the next,
     * running {@code afterEach} after each one, until the slow-close count rises above
     * {@code closedBefore} or a minute has passed; how many he sent.
     */
    public int talkUntilClosed(double closedBefore, int size, Runnable afterEach) {
        String big = "x".repeat(size);
        int sent = 0;
        long deadline = System.nanoTime() + CLOSED_WITHIN.toNanos();
        while (slowCloses() == closedBefore && System.nanoTime() < deadline) {
            bob.send(text("s" + sent, big));
            // The peer's own deliveries keep flowing while the slow socket is stuck.
            bob.socket().await(isMessage("s" + sent), WsClient.WAIT);
            afterEach.run();
            sent++;
        }
        return sent;
    }

    /** The close code the slow socket ends with, reading what it left unread; -1 when it just drops. */
    public int drainUntilClose() throws IOException {
        return slow.drainUntilClose(Duration.ofSeconds(30));
    }

    public Visitor bob() {
        return bob;
    }

    @Override
    public void close() {
        try {
            bob.close();
        }
        finally {
            slow.close();
        }
    }
}
