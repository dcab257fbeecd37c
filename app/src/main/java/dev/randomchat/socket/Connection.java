package dev.randomchat.socket;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.CloseCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;

/**
 * One client socket as the features see it: who it is, and a bounded queue of frames to write.
 *
 * <p>Any thread may send; a writer drains the queue into the socket. The queue is bounded in
 * frames and in bytes ({@code WS_OUTBOUND_BYTES}), and every socket's bytes count against the
 * server's {@link OutboundBudget}. When the client reads too slowly, frames that may be lost
 * (typing, presence) are shed first, once the queue is half full; when it is full, or the server's
 * budget is spent and this socket holds more than its fair share, the socket is closed with 1013
 * and the client resumes with {@code join}. Long replays are written in pages, each only once
 * the queue has {@link #room()} for it.
 *
 * <p>Kept whole (about 370 lines) on purpose: the queue, its byte counts, the close status and the
 * replay's room waiter are one state machine under this object's lock, and which signal may be
 * sent inside or outside that lock is only clear with all of them in view.
 */
public final class Connection implements Client {

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
    /** What a queued frame costs besides its characters: the string, its array and a queue slot. */
    private static final int FRAME_OVERHEAD = 64;
    /** Largest replay page in bytes, however large the cap: a page is written in one go. */
    private static final int MAX_PAGE_BYTES = 128 * 1024;
    /** A socket may hold this much (or a quarter of its cap) while the server's budget is spent: a reader's queue is near empty. */
    private static final long FAIR_SHARE = 64 * 1024;
    /** How often a replay waiting for room looks again when it is the server's budget that is spent. */
    private static final Duration ROOM_RECHECK = Duration.ofMillis(250);
    /** The event loop of a socket not served on one (tests): pings run on the heartbeat's own thread. */
    static final Executor NOT_SERVED = Runnable::run;

    private final String id;
    private final Guest guest;
    private final String ip;
    private final JsonMapper json;
    private final int capacity;
    private final long maxBytes;
    private final OutboundBudget budget;
    private final Queue<String> queue;
    private final Sinks.Many<String> outbound;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Sinks.Empty<Void> abandoned = Sinks.empty();
    private final RateLimiter rateLimiter;
    private final RateLimiter signalLimiter = new RateLimiter(SIGNALS_PER_SECOND, SIGNAL_BURST);
    private final Consumer<Connection> onTooSlow;
    private final Consumer<String> onError;
    private volatile CloseCode closeCode;
    private volatile long lastHeard = System.nanoTime();
    /** The event loop that serves the socket and pings it; set once, before the socket is added to {@link Connections}. */
    private volatile Executor eventLoop = NOT_SERVED;
    /** Writes a ping to the socket directly; until the socket is served, pings are queued. */
    private volatile Runnable pingWriter;
    /** Bytes queued and not yet handed to Netty (the frame waiting for writability included). */
    private long queuedBytes;
    private boolean released;
    private boolean isAbandoned;
    /** When the writer last took a frame, or the queue last went from empty to not empty. */
    private volatile long lastProgress = System.nanoTime();
    private Sinks.Empty<Void> roomWaiter;

    Connection(String id, Guest guest, String ip, JsonMapper json, SocketProperties properties, int capacity,
            OutboundBudget budget, Consumer<Connection> onTooSlow, Consumer<String> onError) {
        this.onError = onError;
        this.id = id;
        this.guest = guest;
        this.ip = ip;
        this.json = json;
        // A linked queue grows in small chunks: an idle socket holds almost nothing; the bound is
        // enforced in offer(), not by preallocating the whole capacity for every socket.
        this.queue = Queues.<String>unbounded(QUEUE_CHUNK).get();
        this.capacity = capacity;
        this.maxBytes = properties.outboundBytes();
        this.budget = budget;
        this.outbound = Sinks.many().unicast().onBackpressureBuffer(queue);
        this.rateLimiter = new RateLimiter(properties.framesPerSecond(), properties.frameBurst());
        this.onTooSlow = onTooSlow;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Guest guest() {
        return guest;
    }

    @Override
    public String guestId() {
        return guest.id();
    }

    @Override
    public String ip() {
        return ip;
    }

    /** Queues a frame built in Java. */
    @Override
    public boolean send(Object frame) {
        return offer(json.writeValueAsString(frame), false);
    }

    /** Queues a frame already encoded as JSON (shared by every socket that gets it). */
    @Override
    public boolean sendJson(String frame) {
        return offer(frame, false);
    }

    /** Queues a frame that may be dropped when the client is behind (typing, presence). */
    @Override
    public boolean sendDroppable(String frame) {
        return offer(frame, true);
    }

    /**
     * The socket is served on {@code eventLoop}, where {@link Heartbeat} runs its pings, and
     * {@code pingWriter} writes one straight to the socket (run on that loop only). Called before
     * the socket is added to {@link Connections}, which keeps it with the loop's other sockets.
     */
    void servedOn(Executor eventLoop, Runnable pingWriter) {
        this.eventLoop = eventLoop;
        this.pingWriter = pingWriter;
    }

    Executor eventLoop() {
        return eventLoop;
    }

    /**
     * Pings. An idle socket (nothing queued: the common case) gets it written at once, past the
     * queue and its writer; one with frames queued gets it behind them, unless it is already
     * behind (it is then not idle, only slow). Runs on the socket's event loop once served.
     */
    void ping() {
        Runnable writer = pingWriter;
        synchronized (this) {
            if (closeCode != null) {
                return;
            }
            if (writer == null || queuedBytes > 0) {
                offer(PING, true);
                return;
            }
        }
        writer.run();
    }

    @Override
    public void error(FrameException ex) {
        onError.accept(ex.code());
        send(new Outbound.Error(ex.code(), ex.getMessage(), ex.ref()));
    }

    /** Any frame from the client, a pong included, counts as a sign of life. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    /** When the client was last heard from, as {@link System#nanoTime}. */
    long lastHeardNanos() {
        return lastHeard;
    }

    Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - lastHeard);
    }

    @Override
    public boolean isOpen() {
        return closeCode == null;
    }

    /**
     * Writes what is queued, then closes with this status. The signals go out after the lock is
     * released: what they start (the socket's cleanup) takes other locks. Once the status is set no
     * frame is emitted any more, so completing outside the lock never races an emission.
     */
    @Override
    public void close(CloseCode code) {
        synchronized (this) {
            if (closeCode != null) {
                return;
            }
            closeCode = code;
        }
        outbound.tryEmitComplete();
        closed.tryEmitEmpty();
    }

    private boolean offer(String frame, boolean droppable) {
        synchronized (this) {
            if (closeCode != null) {
                return false;
            }
            int queued = queue.size();
            long cost = costOf(frame);
            if (droppable && (queued >= capacity / 2 || queuedBytes + cost > maxBytes / 2 || budget.spent())) {
                return false;
            }
            boolean overflow = queued >= capacity || queuedBytes + cost > maxBytes
                    || budget.spent() && queuedBytes + cost > Math.min(FAIR_SHARE, maxBytes / 4);
            if (!overflow) {
                // Counted first: the writer may take the frame (and give its bytes back) inside the emission.
                if (queuedBytes == 0) {
                    lastProgress = System.nanoTime();
                }
                queuedBytes += cost;
                budget.add(cost);
                Sinks.EmitResult result = outbound.tryEmitNext(frame);
                if (result.isSuccess()) {
                    return true;
                }
                queuedBytes -= cost;
                budget.add(-cost);
                if (result != Sinks.EmitResult.FAIL_OVERFLOW) {
                    return false;
                }
            }
        }
        abandon();
        return false;
    }

    /**
     * Closes with 1013 at once; what is still queued would only reach a client that is not reading.
     * Also ends a close already under way (idle, shutdown) that waits for such a client to drain.
     */
    void abandon() {
        synchronized (this) {
            if (isAbandoned) {
                return;
            }
            isAbandoned = true;
        }
        onTooSlow.accept(this);
        close(CloseCode.TOO_SLOW);
        abandoned.tryEmitEmpty();
    }

    /** The writer handed this frame to Netty: its bytes leave the queue. */
    void written(String frame) {
        Sinks.Empty<Void> wake = null;
        synchronized (this) {
            lastProgress = System.nanoTime();
            if (released) {
                return;
            }
            long cost = costOf(frame);
            queuedBytes -= cost;
            budget.add(-cost);
            if (roomWaiter != null && hasRoom()) {
                wake = roomWaiter;
                roomWaiter = null;
            }
        }
        wakeOutsideTheLock(wake);
    }

    /** The socket is gone: whatever it still had queued no longer counts against the server's budget. */
    void release() {
        Sinks.Empty<Void> wake;
        synchronized (this) {
            if (!released) {
                released = true;
                budget.add(-queuedBytes);
                queuedBytes = 0;
            }
            wake = roomWaiter;
            roomWaiter = null;
        }
        wakeOutsideTheLock(wake);
    }

    /**
     * A replay waiting for room goes on in the waker's thread (it reads the next page): never while
     * this connection's lock is held, or it would meet a page writer holding its attachment's lock.
     */
    private static void wakeOutsideTheLock(Sinks.Empty<Void> waiter) {
        if (waiter != null) {
            waiter.tryEmitEmpty();
        }
    }

    /**
     * Whether a replay page fits now: the queue is at most a quarter full and the server's budget is
     * not spent. A page is at most {@link #replayPageBytes()}, so a page written now leaves the
     * queue at most half full, and live frames still fit beside it.
     */
    @Override
    public synchronized boolean hasRoom() {
        return queuedBytes <= maxBytes / 4 && !budget.spent();
    }

    /** The most bytes of messages one replay page may hold. */
    @Override
    public int replayPageBytes() {
        return (int) Math.min(MAX_PAGE_BYTES, maxBytes / 4);
    }

    /**
     * Completes once the queue has room for a replay page, or the socket closed. It completes on a
     * worker thread, never inside the writer that made the room: what follows reads and writes the
     * next page, and takes locks the writer's caller may hold.
     */
    @Override
    public Mono<Void> room() {
        return Mono.defer(this::roomOrWait)
                .repeatWhenEmpty(attempts -> attempts)
                .publishOn(Schedulers.parallel())
                .then();
    }

    /** Emits at once when there is room (or the socket closed); else completes empty after a wait. */
    private Mono<Boolean> roomOrWait() {
        Mono<Void> signal;
        synchronized (this) {
            if (closeCode != null || hasRoom()) {
                return Mono.just(true);
            }
            if (roomWaiter == null) {
                roomWaiter = Sinks.empty();
            }
            signal = roomWaiter.asMono();
        }
        // Woken when this queue drains; the server's budget is watched by looking again now and then.
        return signal.timeout(ROOM_RECHECK, Mono.empty())
                .then(Mono.empty());
    }

    /** How long the queue has held frames without the writer taking one (zero when it is empty). */
    synchronized Duration stalledFor() {
        return queuedBytes == 0 ? Duration.ZERO
                : Duration.ofNanos(System.nanoTime() - lastProgress);
    }

    synchronized long queuedBytes() {
        return queuedBytes;
    }

    private static long costOf(String frame) {
        return frame.length() + FRAME_OVERHEAD;
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

    CloseCode closeCode() {
        return closeCode == null ? CloseCode.NORMAL : closeCode;
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
