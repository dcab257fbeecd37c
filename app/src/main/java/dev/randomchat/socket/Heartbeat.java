package dev.randomchat.socket;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.protocol.CloseCode;

/**
 * Pings every socket and closes the silent ones and the stalled ones (a queue the client has not
 * let drain for {@code WS_STALL_SECONDS}, whatever it keeps sending), on timers for the whole
 * server rather than per socket: an idle socket then costs no scheduled task at all.
 *
 * <p>Pings run on each event loop's own timer, over that loop's own sockets: one slice of them
 * per tick ({@link Connections#forEachIn}), so each socket once per ping interval, written where
 * the socket lives with no hand-over between threads (an idle server's main work is its pings;
 * a shared timer that sorted each slice by loop and handed it over took more than the pings'
 * own Java code, bench/RESULTS.md). The pass also notes as a <em>suspect</em> each socket that
 * could reach a timeout before its slice's next tick: silent for longer than the idle timeout
 * less the ping interval, or with frames queued. The check timer, ten times per timeout, looks at
 * the suspects only, closes those past a timeout and forgets those that answered or drained. A
 * client that answers its pings is never a suspect. This misses no socket as long as the ping
 * interval is no longer than either timeout (a silence or a stall that reaches its timeout began
 * before its slice's last tick, which then noted it); with a longer ping interval the check
 * visits every socket.
 */
@Component
class Heartbeat implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final Connections connections;
    private final SocketProperties properties;
    private final Set<Connection> suspects = ConcurrentHashMap.newKeySet();
    /** Silent this long, a socket may pass the idle timeout before its slice's next tick. */
    private final long suspectAfterNanos;
    /** The ping timer of each event loop that serves sockets. */
    private final Map<Executor, Disposable> pingTimers = new ConcurrentHashMap<>();
    /** Written under the lock, read without it by {@link #isRunning}. */
    private volatile Disposable checkTimer;

    Heartbeat(Connections connections, SocketProperties properties) {
        this.connections = connections;
        this.properties = properties;
        this.suspectAfterNanos = properties.idleTimeout().minus(properties.pingInterval()).toNanos();
    }

    @Override
    public synchronized void start() {
        // Silence and stalls are checked ten times per timeout, so a socket is closed at most 10% late.
        Duration shorter = properties.idleTimeout().compareTo(properties.stallTimeout()) < 0
                ? properties.idleTimeout() : properties.stallTimeout();
        Duration idleCheck = shorter.dividedBy(10);
        Runnable check = properties.pingInterval().compareTo(shorter) > 0
                ? () -> connections.forEach(this::closeIfSilent)
                : this::checkSuspects;
        checkTimer = Flux.interval(idleCheck, idleCheck).subscribe(tick -> check.run());
        connections.onEventLoops(this::pingOn);
    }

    /** Starts the ping timer of an event loop, unless it runs already (or the heartbeat is stopped). */
    private synchronized void pingOn(Executor eventLoop) {
        if (isRunning()) {
            pingTimers.computeIfAbsent(eventLoop, this::pingTimer);
        }
    }

    /**
     * Each socket is pinged once per ping interval, but not all at once: a server holding many
     * idle sockets would otherwise write all their pings in one burst, in the way of live frames.
     */
    private Disposable pingTimer(Executor eventLoop) {
        long slice = properties.pingInterval().toNanos() / Connections.SLICES;
        Runnable pings = new Pings(eventLoop);
        if (eventLoop instanceof ScheduledExecutorService loop) {
            ScheduledFuture<?> timer = loop.scheduleAtFixedRate(pings, slice, slice, TimeUnit.NANOSECONDS);
            return () -> timer.cancel(false);
        }
        // Sockets not served on an event loop (tests) are pinged from Reactor's timer thread.
        return Schedulers.parallel().schedulePeriodically(pings, slice, slice, TimeUnit.NANOSECONDS);
    }

    /** One event loop's pings: each tick, the next slice of its sockets (ticks never overlap). */
    private final class Pings implements Runnable {

        private final Executor eventLoop;
        private int next;

        Pings(Executor eventLoop) {
            this.eventLoop = eventLoop;
        }

        @Override
        public void run() {
            int slice = next;
            next = (next + 1) % Connections.SLICES;
            long now = System.nanoTime();
            try {
                connections.forEachIn(eventLoop, slice, connection -> {
                    if (mayTimeOut(connection, now)) {
                        suspects.add(connection);
                    }
                    connection.ping();
                });
            }
            catch (RuntimeException ex) {
                // A periodic task that throws is not run again: the next tick tries the next slice.
                log.warn("pinging a slice of sockets failed: {}", ex.toString());
            }
        }
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

    /** Event loops with a ping timer (for tests). */
    int pingTimers() {
        return pingTimers.size();
    }

    @Override
    public synchronized void stop() {
        if (checkTimer != null) {
            checkTimer.dispose();
        }
        pingTimers.values().forEach(Disposable::dispose);
        pingTimers.clear();
        suspects.clear();
    }

    @Override
    public boolean isRunning() {
        Disposable timer = checkTimer;
        return timer != null && !timer.isDisposed();
    }
}
