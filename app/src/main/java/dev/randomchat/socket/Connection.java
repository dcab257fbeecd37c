package dev.randomchat.socket;

import java.time.Duration;
import java.util.Queue;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.reactive.socket.CloseStatus;

import dev.randomchat.auth.Guest;

/**
 * One client socket as the features see it: who it is, and a bounded queue of frames to write.
 *
 * <p>Any thread may send; a writer drains the queue into the socket. When the client reads too
 * slowly, frames that may be lost (typing, presence) are shed first, once the queue is half full;
 * when it is full the socket is closed with 1013 and the client resumes with {@code join}.
 */
public final class Connection {

    /** Try again later: the client was too slow and should reconnect and resume. */
    public static final CloseStatus TOO_SLOW = new CloseStatus(1013, "too slow");

    /** Queued like a frame, written as a websocket ping (compared by identity). */
    static final String PING = new String("ping");

    /**
     * {@code signal} frames have a bucket of their own: a call's setup sends an offer or answer and a
     * burst of ICE candidates at once, which must not starve (or be starved by) chat frames.
     */
    static final int SIGNAL_BURST = 120;
    static final int SIGNALS_PER_SECOND = 20;

    /** Frames per chunk of the outbound queue. */
    private static final int QUEUE_CHUNK = 16;

    private final String id;
    private final Guest guest;
    private final String ip;
    private final JsonMapper json;
    private final int capacity;
    private final Queue<String> queue;
    private final Sinks.Many<String> outbound;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Sinks.Empty<Void> abandoned = Sinks.empty();
    private final RateLimiter rateLimiter;
    private final RateLimiter signalLimiter = new RateLimiter(SIGNALS_PER_SECOND, SIGNAL_BURST);
    private final Consumer<Connection> onTooSlow;
    private final Consumer<String> onError;
    private volatile CloseStatus closeStatus;
    private volatile long lastHeard = System.nanoTime();

    Connection(String id, Guest guest, String ip, JsonMapper json, SocketProperties properties, int capacity,
            Consumer<Connection> onTooSlow, Consumer<String> onError) {
        this.onError = onError;
        this.id = id;
        this.guest = guest;
        this.ip = ip;
        this.json = json;
        // A linked queue grows in small chunks: an idle socket holds almost nothing; the bound is
        // enforced in offer(), not by preallocating the whole capacity for every socket.
        this.queue = Queues.<String>unbounded(QUEUE_CHUNK).get();
        this.capacity = capacity;
        this.outbound = Sinks.many().unicast().onBackpressureBuffer(queue);
        this.rateLimiter = new RateLimiter(properties.framesPerSecond(), properties.frameBurst());
        this.onTooSlow = onTooSlow;
    }

    public String id() {
        return id;
    }

    public Guest guest() {
        return guest;
    }

    public String guestId() {
        return guest.id();
    }

    public String ip() {
        return ip;
    }

    /** Queues a frame built in Java. */
    public boolean send(Object frame) {
        return offer(json.writeValueAsString(frame), false);
    }

    /** Queues a frame already encoded as JSON (shared by every socket that gets it). */
    public boolean sendJson(String frame) {
        return offer(frame, false);
    }

    /** Queues a frame that may be dropped when the client is behind (typing, presence). */
    public boolean sendDroppable(String frame) {
        return offer(frame, true);
    }

    /** Queues a ping, unless the client is already behind (it is then not idle, only slow). */
    void ping() {
        offer(PING, true);
    }

    public void error(FrameException ex) {
        onError.accept(ex.code());
        send(new Outbound.Error(ex.code(), ex.getMessage(), ex.ref()));
    }

    /** Any frame from the client, a pong included, counts as a sign of life. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - lastHeard);
    }

    public boolean isOpen() {
        return closeStatus == null;
    }

    /** Writes what is queued, then closes with this status. */
    public synchronized void close(CloseStatus status) {
        if (closeStatus != null) {
            return;
        }
        closeStatus = status;
        outbound.tryEmitComplete();
        closed.tryEmitEmpty();
    }

    private synchronized boolean offer(String frame, boolean droppable) {
        if (closeStatus != null) {
            return false;
        }
        int queued = queue.size();
        if (droppable && queued >= capacity / 2) {
            return false;
        }
        Sinks.EmitResult result = queued >= capacity ? Sinks.EmitResult.FAIL_OVERFLOW : outbound.tryEmitNext(frame);
        if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            onTooSlow.accept(this);
            close(TOO_SLOW);
            // What is still queued would only reach a client that is not reading: drop it.
            abandoned.tryEmitEmpty();
            return false;
        }
        return result.isSuccess();
    }

    Flux<String> outbound() {
        return outbound.asFlux().takeUntilOther(abandoned.asMono());
    }

    Mono<Void> abandoned() {
        return abandoned.asMono();
    }

    Mono<Void> closed() {
        return closed.asMono();
    }

    CloseStatus closeStatus() {
        return closeStatus == null ? CloseStatus.NORMAL : closeStatus;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    RateLimiter signalLimiter() {
        return signalLimiter;
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", guest " + guest.id() + "]";
    }
}
