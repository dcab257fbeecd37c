package dev.randomchat.socket;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;

/**
 * The sockets this server holds: capacity reservations taken before the upgrade, and the open
 * connections, by id and by guest.
 */
@Component
public class Connections {

    private final SocketProperties properties;
    private final MeterRegistry meters;
    private final AtomicInteger reserved = new AtomicInteger();
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> openPerIp = new ConcurrentHashMap<>();
    private final Map<String, Connection> open = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Connection>> byGuest = new ConcurrentHashMap<>();
    private final Counter slowClosed;
    private volatile boolean accepting = true;

    Connections(SocketProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        Gauge.builder("chat.sockets.open", open, Map::size)
                .description("Websockets open on this server")
                .register(meters);
        this.slowClosed = Counter.builder("chat.sockets.slow.closed")
                .description("Sockets closed with 1013 because their client read too slowly")
                .register(meters);
    }

    /**
     * Takes a place for one upgrade, or says why there is none. A place counts from the handshake
     * (a reservation, returned when the handshake's exchange ends) and then as an open socket, so
     * the limits hold for sockets being opened and sockets open alike.
     */
    Reservation reserve(String ip) {
        if (!accepting) {
            return Reservation.refused("draining");
        }
        if (reserved.incrementAndGet() + open.size() > properties.maxConnections()) {
            reserved.decrementAndGet();
            return Reservation.refused("capacity");
        }
        AtomicInteger fromIp = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
        if (fromIp.incrementAndGet() + openFrom(ip) > properties.maxConnectionsPerIp()) {
            release(new Reservation(ip, null));
            return Reservation.refused("per_ip");
        }
        return new Reservation(ip, null);
    }

    void release(Reservation reservation) {
        reserved.decrementAndGet();
        perIp.computeIfPresent(reservation.ip(), (ip, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private int openFrom(String ip) {
        AtomicInteger count = openPerIp.get(ip);
        return count == null ? 0 : count.get();
    }

    void add(Connection connection) {
        openPerIp.computeIfAbsent(connection.ip(), k -> new AtomicInteger()).incrementAndGet();
        open.put(connection.id(), connection);
        byGuest.computeIfAbsent(connection.guestId(), id -> new ConcurrentHashMap<>())
                .put(connection.id(), connection);
    }

    void remove(Connection connection) {
        if (open.remove(connection.id()) != null) {
            openPerIp.computeIfPresent(connection.ip(), (ip, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
        byGuest.computeIfPresent(connection.guestId(), (id, sockets) -> {
            sockets.remove(connection.id());
            return sockets.isEmpty() ? null : sockets;
        });
    }

    void tooSlow(Connection connection) {
        slowClosed.increment();
    }

    /** A client frame answered with an error, by code. */
    void rejected(String code) {
        meters.counter("chat.frames.rejected", "code", code).increment();
    }

    public Collection<Connection> ofGuest(String guestId) {
        Map<String, Connection> sockets = byGuest.get(guestId);
        return sockets == null ? List.of() : sockets.values();
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

    void closeAll(CloseStatus status) {
        open.values().forEach(connection -> connection.close(status));
    }

    /** A place taken for one upgrade, or why none was ({@code draining}, {@code capacity}, {@code per_ip}). */
    record Reservation(String ip, String refusal) {

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
