package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.protocol.CloseCode;

/**
 * Pings every socket and closes the silent ones and the stalled ones (a queue the client has not
 * let drain for {@code WS_STALL_SECONDS}, whatever it keeps sending), on two timers for the whole
 * server rather than two per socket: an idle socket then costs no scheduled task at all.
 *
 * <p>Neither timer visits every socket. The ping timer visits one slice of them per tick
 * ({@link Connections#forEachIn}), so each socket once per ping interval, and notes as a
 * <em>suspect</em> each socket that could reach a timeout before its slice's next tick: silent for
 * longer than the idle timeout less the ping interval, or with frames queued. The check timer,
 * ten times per timeout, looks at the suspects only, closes those past a timeout and forgets those
 * that answered or drained. A client that answers its pings is never a suspect. This misses no
 * socket as long as the ping interval is no longer than either timeout (a silence or a stall that
 * reaches its timeout began before its slice's last tick, which then noted it); with a longer ping
 * interval the check visits every socket.
 */
@Component
class Heartbeat implements SmartLifecycle {

    private final Connections connections;
    private final SocketProperties properties;
    private final Set<Connection> suspects = ConcurrentHashMap.newKeySet();
    /** Silent this long, a socket may pass the idle timeout before its slice's next tick. */
    private final long suspectAfterNanos;
    private volatile Disposable timers;

    Heartbeat(Connections connections, SocketProperties properties) {
        this.connections = connections;
        this.properties = properties;
        this.suspectAfterNanos = properties.idleTimeout().minus(properties.pingInterval()).toNanos();
    }

    @Override
    public void start() {
        // Silence and stalls are checked ten times per timeout, so a socket is closed at most 10% late.
        Duration shorter = properties.idleTimeout().compareTo(properties.stallTimeout()) < 0
                ? properties.idleTimeout() : properties.stallTimeout();
        Duration idleCheck = shorter.dividedBy(10);
        Runnable check = properties.pingInterval().compareTo(shorter) > 0
                ? () -> connections.forEach(this::closeIfSilent)
                : this::checkSuspects;
        timers = Disposables.composite(
                Flux.interval(pingSlice(), pingSlice())
                        .subscribe(tick -> pingSlice((int) Math.floorMod(tick, (long) Connections.SLICES))),
                Flux.interval(idleCheck, idleCheck)
                        .subscribe(tick -> check.run()));
    }

    /**
     * Each socket is pinged once per ping interval, but not all at once: a server holding many
     * idle sockets would otherwise write all their pings in one burst, in the way of live frames.
     */
    private Duration pingSlice() {
        return properties.pingInterval().dividedBy(Connections.SLICES);
    }

    private void pingSlice(int slice) {
        long now = System.nanoTime();
        Map<Executor, List<Connection>> byEventLoop = new HashMap<>();
        connections.forEachIn(slice, connection -> {
            byEventLoop.computeIfAbsent(connection.eventLoop(), loop -> new ArrayList<>()).add(connection);
            if (mayTimeOut(connection, now)) {
                suspects.add(connection);
            }
        });
        // One task per event loop: each ping is queued and written on its socket's own loop, with
        // no hand-over between threads per ping (an idle server's main cost is its pings).
        byEventLoop.forEach((eventLoop, sockets) -> eventLoop.execute(() -> sockets.forEach(Connection::ping)));
    }

    /** Whether the socket could reach a timeout within one ping interval from {@code now}. */
    private boolean mayTimeOut(Connection connection, long now) {
        return connection.queuedBytes() > 0 || now - connection.lastHeardNanos() >= suspectAfterNanos;
    }

    private void checkSuspects() {
        long now = System.nanoTime();
        suspects.removeIf(connection -> !connection.isOpen() || closeIfSilent(connection)
                || !mayTimeOut(connection, now));
    }

    /** Closes the socket if it is past a timeout; says whether it did. */
    private boolean closeIfSilent(Connection connection) {
        if (connection.stalledFor().compareTo(properties.stallTimeout()) >= 0) {
            connection.abandon();
            return true;
        }
        if (connection.silentFor().compareTo(properties.idleTimeout()) >= 0) {
            connection.close(CloseCode.IDLE);
            return true;
        }
        return false;
    }

    /** The sockets the check timer will look at next (for tests). */
    int suspects() {
        return suspects.size();
    }

    @Override
    public void stop() {
        if (timers != null) {
            timers.dispose();
        }
        suspects.clear();
    }

    @Override
    public boolean isRunning() {
        return timers != null && !timers.isDisposed();
    }
}
