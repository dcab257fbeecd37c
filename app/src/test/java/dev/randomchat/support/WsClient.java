package dev.randomchat.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

/**
 * A real websocket client for tests: every frame received is kept in order, and {@link #await}
 * waits (bounded) for the next one that matches.
 *
 * <p>Every frame is checked against the published contract ({@link FrameSchemas}): a frame this
 * client sends must match {@code docs/schemas/client} (tests that send malformed frames on
 * purpose say so with {@link #sendMalformed}), and a frame the server sends that does not match
 * {@code docs/schemas/server} fails the test at the next {@link #await}, {@link #frames} or
 * {@link #close}.
 */
public final class WsClient implements AutoCloseable {

    /** Every wait in a test is bounded by this unless it says otherwise. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final WebSocket socket;
    private final Listener listener;
    private final CompletableFuture<Integer> closed;
    /** Frames already returned by {@link #await}; frames it skipped stay available. */
    private final java.util.BitSet taken = new java.util.BitSet();

    private WsClient(WebSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
        this.closed = listener.closed;
    }

    /** Connects with {@code Authorization: Bearer <guestToken>}. */
    public static WsClient connect(URI uri, String guestToken) {
        return connect(uri, guestToken == null ? Map.of() : Map.of("Authorization", "Bearer " + guestToken));
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        return connect(HttpClient.newHttpClient(), uri, headers);
    }

    /** Connects through {@code http}, e.g. a client that trusts a test certificate for {@code wss:}. */
    public static WsClient connect(HttpClient http, URI uri, Map<String, String> headers) {
        Listener listener = new Listener();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        try {
            WebSocket socket = builder.buildAsync(uri, listener).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new WsClient(socket, listener);
        }
        catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new CompletionException(ex.getCause());
        }
        catch (InterruptedException | TimeoutException ex) {
            throw new IllegalStateException("websocket connect did not finish", ex);
        }
    }

    /** The HTTP status an upgrade was refused with, or -1 if it succeeded. */
    public static int upgradeStatus(URI uri, Map<String, String> headers) {
        try (WsClient client = connect(uri, headers)) {
            return -1;
        }
        catch (CompletionException | IllegalStateException ex) {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            if (cause instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw ex;
        }
        catch (RuntimeException ex) {
            if (ex.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw ex;
        }
    }

    /** Sends a frame of the protocol; fails unless it matches its schema. */
    public WsClient send(String text) {
        FrameSchemas.requireValid(FrameSchemas.Direction.CLIENT, text);
        return sendMalformed(text);
    }

    /** Sends text as it is, unchecked: for tests of what the server does with frames the protocol forbids. */
    public WsClient sendMalformed(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    /** {@link #sendMalformed(String)} of a frame built from a map. */
    public WsClient sendMalformed(Map<String, ?> frame) {
        return sendMalformed(Guests.JSON.writeValueAsString(frame));
    }

    public WsClient send(Map<String, ?> frame) {
        return send(Guests.JSON.writeValueAsString(frame));
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        return this;
    }

    /** The earliest frame of this type not returned before (frames of other types stay available). */
    public JsonNode await(String type) {
        return await(frame -> type.equals(frame.path("type").asString()), WAIT);
    }

    public JsonNode await(Predicate<JsonNode> matching, Duration timeout) {
        synchronized (listener) {
            listener.requireConforming();
            return awaitLocked(matching, timeout);
        }
    }

    private JsonNode awaitLocked(Predicate<JsonNode> matching, Duration timeout) {
        List<JsonNode> frames = listener.frames;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = taken.nextClearBit(0); i < frames.size(); i = taken.nextClearBit(i + 1)) {
                JsonNode frame = frames.get(i);
                if (matching.test(frame)) {
                    taken.set(i);
                    return frame;
                }
            }
            listener.requireConforming();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String state = closed.isDone() ? "closed with " + closed.getNow(null) : "open";
                throw new AssertionError("no matching frame within " + timeout + " (socket " + state + "); got " + frames);
            }
            try {
                listener.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
        }
    }

    /** Every frame received so far. */
    public List<JsonNode> frames() {
        synchronized (listener) {
            listener.requireConforming();
            return new ArrayList<>(listener.frames);
        }
    }

    public List<JsonNode> frames(String type) {
        return frames().stream().filter(f -> type.equals(f.path("type").asString())).toList();
    }

    /** Fails if a frame of this type arrives within {@code during} (or has arrived and not been awaited). */
    public void assertNoFrame(String type, Duration during) {
        try {
            await(frame -> type.equals(frame.path("type").asString()), during);
        }
        catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("unexpected " + type + " frame");
    }

    /** The close code the server sent, waiting at most {@code timeout}. */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException | ExecutionException | TimeoutException ex) {
            throw new AssertionError("socket not closed within " + timeout, ex);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** The websocket pings the server sent so far (the JDK's client answers each with a pong). */
    public int pings() {
        return listener.pings.get();
    }

    /** Stops reading: the server's writes pile up, as with a client that stalls. */
    public void stall() {
        listener.stalled = true;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(ex -> null);
        }
        socket.abort();
        synchronized (listener) {
            listener.requireConforming();
        }
    }

    private static final class Listener implements WebSocket.Listener {

        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final List<JsonNode> frames = new ArrayList<>();
        /** Server frames that do not match their schema, reported once to the test. */
        private final List<String> violations = new ArrayList<>();
        private final AtomicInteger pings = new AtomicInteger();
        private volatile boolean stalled;

        @Override
        public CompletionStage<?> onPing(WebSocket socket, ByteBuffer message) {
            pings.incrementAndGet();
            return WebSocket.Listener.super.onPing(socket, message);
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                JsonNode frame = Guests.JSON.readTree(text);
                List<String> problems = FrameSchemas.violations(FrameSchemas.Direction.SERVER, text);
                synchronized (this) {
                    frames.add(frame);
                    if (!problems.isEmpty()) {
                        violations.add(FrameSchemas.describe(FrameSchemas.Direction.SERVER, text, problems));
                    }
                    notifyAll();
                }
            }
            if (stalled) {
                return new CompletableFuture<>();
            }
            socket.request(1);
            return null;
        }

        /** Called holding this listener's lock. */
        void requireConforming() {
            if (!violations.isEmpty()) {
                List<String> found = new ArrayList<>(violations);
                violations.clear();
                throw new AssertionError("the server sent frames the contract does not describe: " + found);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.complete(-1);
        }
    }
}
