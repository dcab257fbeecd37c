package dev.randomchat.socket;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import dev.randomchat.protocol.CloseCode;
import dev.randomchat.safety.BanListener;

/**
 * The sockets this server holds: capacity reservations taken before the upgrade, and the open
 * connections, by id, by guest, and by the event loop that serves them, in slices (so that a
 * timer on each loop can visit a fraction of its own sockets).
 */
@Component
public class Connections implements BanListener {

    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    /** The open sockets of each event loop are also kept in this many slices, by id. */
    static final int SLICES = 25;

    private final SocketProperties properties;
    private final MeterRegistry meters;
    private final AtomicInteger reserved = new AtomicInteger();
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> openPerIp = new ConcurrentHashMap<>();
    private final Map<String, Queue<Reservation>> unclaimed = new ConcurrentHashMap<>();
    private final Map<String, Connection> open = new ConcurrentHashMap<>();
    /**
     * A guest's sockets on this server, replaced whole on each change (a guest has one or a few):
     * an inner map per guest cost about 250 bytes a socket, and a socket added while the guest's
     * last other one was removed could land in a map already dropped.
     */
    private final Map<String, List<Connection>> byGuest = new ConcurrentHashMap<>();
    /** Each event loop's open sockets, in {@link #SLICES} slices by id. */
    private final Map<Executor, List<Set<Connection>>> byLoop = new ConcurrentHashMap<>();
    /** Told of each event loop when its first socket is added. */
    private volatile Consumer<Executor> newLoops = loop -> { };
    private final Counter slowClosed;
    private final OutboundBudget budget;
    private final UpgradeLimit upgrades;
    private volatile boolean accepting = true;

    Connections(SocketProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        this.budget = OutboundBudget.of(properties.outboundTotalBytes());
        this.upgrades = new UpgradeLimit(properties.upgradesPerSecond());
        Gauge.builder("chat.sockets.outbound.bytes", budget, OutboundBudget::queued)
                .description("Bytes queued for all websockets of this server, not yet handed to the network")
                .register(meters);
        Gauge.builder("chat.sockets.open", open, Map::size)
                .description("Websockets open on this server")
                .register(meters);
        this.slowClosed = Counter.builder("chat.sockets.slow.closed")
                .description("Sockets closed with 1013 because their client read too slowly")
                .register(meters);
    }

    OutboundBudget budget() {
        return budget;
    }

    /** Counts an upgrade attempt from this address; false when it is over its rate. */
    boolean upgradeAllowed(String ip) {
        return upgrades.tryAcquire(ip);
    }

    /**
     * Takes a place for one upgrade, or says why there is none. A place is held by the handshake
     * (a reservation) until the socket opens and takes it over, so the limits count sockets being
     * opened and sockets open alike, and never count one socket twice.
     */
    Reservation reserve(String ip) {
        if (!accepting) {
            return Reservation.refused("draining");
        }
        synchronized (this) {
            if (reserved.get() + open.size() >= properties.maxConnections()) {
                return Reservation.refused("capacity");
            }
            if (count(perIp, ip) + count(openPerIp, ip) >= properties.maxConnectionsPerIp()) {
                return Reservation.refused("per_ip");
            }
            Reservation reservation = new Reservation(ip, null);
            reserved.incrementAndGet();
            perIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
            unclaimed.computeIfAbsent(ip, k -> new ConcurrentLinkedQueue<>()).add(reservation);
            return reservation;
        }
    }

    /** The handshake's exchange ended: its place goes back unless a socket took it over. */
    void release(Reservation reservation) {
        settle(reservation);
    }

    private void settle(Reservation reservation) {
        if (!reservation.settled.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            reserved.decrementAndGet();
            decrement(perIp, reservation.ip());
            unclaimed.computeIfPresent(reservation.ip(), (ip, queue) -> {
                queue.remove(reservation);
                return queue.isEmpty() ? null : queue;
            });
        }
    }

    private static int count(Map<String, AtomicInteger> counts, String ip) {
        AtomicInteger count = counts.get(ip);
        return count == null ? 0 : count.get();
    }

    private static void decrement(Map<String, AtomicInteger> counts, String ip) {
        counts.computeIfPresent(ip, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    void add(Connection connection) {
        boolean newLoop = false;
        synchronized (this) {
            Queue<Reservation> pending = unclaimed.get(connection.ip());
            Reservation taken = pending == null ? null : pending.peek();
            if (taken != null) {
                settle(taken);
            }
            openPerIp.computeIfAbsent(connection.ip(), k -> new AtomicInteger()).incrementAndGet();
            open.put(connection.id(), connection);
            List<Set<Connection>> slices = byLoop.get(connection.eventLoop());
            if (slices == null) {
                slices = IntStream.range(0, SLICES).<Set<Connection>>mapToObj(slice -> ConcurrentHashMap.newKeySet()).toList();
                byLoop.put(connection.eventLoop(), slices);
                newLoop = true;
            }
            slices.get(sliceOf(connection)).add(connection);
        }
        byGuest.compute(connection.guestId(), (id, sockets) -> with(sockets, connection));
        if (newLoop) {
            newLoops.accept(connection.eventLoop());
        }
    }

    void remove(Connection connection) {
        synchronized (this) {
            if (open.remove(connection.id()) != null) {
                decrement(openPerIp, connection.ip());
                byLoop.get(connection.eventLoop()).get(sliceOf(connection)).remove(connection);
            }
        }
        byGuest.computeIfPresent(connection.guestId(), (id, sockets) -> without(sockets, connection));
    }

    private static List<Connection> with(List<Connection> sockets, Connection connection) {
        return sockets == null ? List.of(connection) : Stream.concat(sockets.stream(), Stream.of(connection)).toList();
    }

    /** The list without {@code connection}; null (no entry) when nothing is left. */
    private static List<Connection> without(List<Connection> sockets, Connection connection) {
        List<Connection> rest = sockets.stream().filter(socket -> socket != connection).toList();
        return rest.isEmpty() ? null : rest;
    }

    void tooSlow(Connection connection) {
        slowClosed.increment();
    }

    /** A client frame answered with an error, by code. */
    void rejected(String code) {
        meters.counter("chat.frames.rejected", "code", code).increment();
    }

    /** The guest's sockets on this server as they are now (a snapshot). */
    public Collection<Connection> ofGuest(String guestId) {
        return byGuest.getOrDefault(guestId, List.of());
    }

    /** A guest banned on any server loses its sockets here at once. */
    @Override
    public void guestBanned(String guestId) {
        Collection<Connection> sockets = ofGuest(guestId);
        if (!sockets.isEmpty()) {
            log.info("closing {} sockets of banned guest {}", sockets.size(), guestId);
        }
        sockets.forEach(connection -> connection.close(CloseCode.BANNED));
    }

    void forEach(Consumer<Connection> action) {
        open.values().forEach(action);
    }

    /**
     * The open sockets of {@code eventLoop} in one slice (0 to {@link #SLICES} - 1): about
     * 1/{@value #SLICES} of them.
     */
    void forEachIn(Executor eventLoop, int slice, Consumer<Connection> action) {
        List<Set<Connection>> slices = byLoop.get(eventLoop);
        if (slices != null) {
            slices.get(slice).forEach(action);
        }
    }

    /**
     * Tells {@code listener} of every event loop that serves sockets: those that do now, then each
     * one as its first socket is added (a loop may be told twice if one comes meanwhile).
     */
    void onEventLoops(Consumer<Executor> listener) {
        newLoops = listener;
        byLoop.keySet().forEach(listener);
    }

    private static int sliceOf(Connection connection) {
        return Math.floorMod(connection.id().hashCode(), SLICES);
    }

    public int size() {
        return open.size();
    }

    boolean accepting() {
        return accepting;
    }

    /** Refuses new upgrades from now on. */
    void stopAccepting() {
        accepting = false;
    }

    void closeAll(CloseCode code) {
        open.values().forEach(connection -> connection.close(code));
    }

    /** A place taken for one upgrade, or why none was ({@code draining}, {@code capacity}, {@code per_ip}). */
    record Reservation(String ip, String refusal, AtomicBoolean settled) {

        Reservation(String ip, String refusal) {
            this(ip, refusal, new AtomicBoolean(refusal != null));
        }

        String reason() {
            return refusal;
        }

        static Reservation refused(String why) {
            return new Reservation(null, why);
        }

        boolean granted() {
            return refusal == null;
        }
    }
}
