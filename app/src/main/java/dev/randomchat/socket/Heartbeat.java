package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.protocol.CloseCode;

/**
 * Pings every socket and closes the silent ones and the stalled ones (a queue the client has not
 * let drain for {@code WS_STALL_SECONDS}, whatever it keeps sending), on two timers for the whole server rather than
 * two per socket: an idle socket then costs no scheduled task at all.
 */
@Component
class Heartbeat implements SmartLifecycle {

    private final Connections connections;
    private final SocketProperties properties;
    private volatile Disposable timers;

    Heartbeat(Connections connections, SocketProperties properties) {
        this.connections = connections;
        this.properties = properties;
    }

    @Override
    public void start() {
        // Silence and stalls are checked ten times per timeout, so a socket is closed at most 10% late.
        Duration shorter = properties.idleTimeout().compareTo(properties.stallTimeout()) < 0
                ? properties.idleTimeout() : properties.stallTimeout();
        Duration idleCheck = shorter.dividedBy(10);
        timers = Disposables.composite(
                Flux.interval(pingSlice(), pingSlice())
                        .subscribe(tick -> pingSlice((int) Math.floorMod(tick, (long) Connections.SLICES))),
                Flux.interval(idleCheck, idleCheck)
                        .subscribe(tick -> connections.forEach(this::closeIfSilent)));
    }

    /**
     * Each socket is pinged once per ping interval, but not all at once: a server holding many
     * idle sockets would otherwise write all their pings in one burst, in the way of live frames.
     * A tick visits only its own slice of the sockets ({@link Connections#forEachIn}), not all.
     */
    private Duration pingSlice() {
        return properties.pingInterval().dividedBy(Connections.SLICES);
    }

    private void pingSlice(int slice) {
        Map<Executor, List<Connection>> byEventLoop = new HashMap<>();
        connections.forEachIn(slice, connection ->
                byEventLoop.computeIfAbsent(connection.eventLoop(), loop -> new ArrayList<>()).add(connection));
        // One task per event loop: each ping is queued and written on its socket's own loop, with
        // no hand-over between threads per ping (an idle server's main cost is its pings).
        byEventLoop.forEach((eventLoop, sockets) -> eventLoop.execute(() -> sockets.forEach(Connection::ping)));
    }

    private void closeIfSilent(Connection connection) {
        if (connection.stalledFor().compareTo(properties.stallTimeout()) >= 0) {
            connection.abandon();
        }
        else if (connection.silentFor().compareTo(properties.idleTimeout()) >= 0) {
            connection.close(CloseCode.IDLE);
        }
    }

    @Override
    public void stop() {
        if (timers != null) {
            timers.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return timers != null && !timers.isDisposed();
    }
}
