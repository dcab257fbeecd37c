package dev.randomchat.match;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import dev.randomchat.auth.Guest;
import dev.randomchat.protocol.Client;

/**
 * The guests waiting on this server, each with its waiting sockets. Owns the one map that
 * {@link MatchService} (match, cancel, a socket's close, telling a pair) and {@link WaitingTicker}
 * (renewals, retries) share: an entry is removed only together with the {@link Waiter} it was seen
 * with, so a guest that waits again meanwhile is never dropped by a stale look.
 */
@Component
class Waiters {

    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();

    Waiters(MeterRegistry meters) {
        Gauge.builder("chat.waiting", waiting, Map::size).description("Guests waiting on this server")
                .register(meters);
    }

    /** The guest's waiter, created on its first waiting socket, with this socket added. */
    Waiter join(Client connection, List<String> interests) {
        Waiter waiter = waiting.computeIfAbsent(connection.guestId(), id -> new Waiter(connection.guest(), interests));
        waiter.sockets.add(connection);
        return waiter;
    }

    /** This socket waits here (a match it sent has not been answered with a pair or cancelled). */
    boolean isWaiting(Client connection) {
        Waiter waiter = waiting.get(connection.guestId());
        return waiter != null && waiter.sockets.contains(connection);
    }

    Waiter get(String guestId) {
        return waiting.get(guestId);
    }

    /** Takes the guest out of the waiting, whichever waiter it has; null when it had none. */
    Waiter take(String guestId) {
        return waiting.remove(guestId);
    }

    /** Takes this waiter out, unless its guest waits again under a newer one. */
    boolean remove(Waiter waiter) {
        return waiting.remove(waiter.guest.id(), waiter);
    }

    /** The socket closed: its guest's waiter when this was its last waiting socket here, else null. */
    Waiter lastSocketClosed(Client connection) {
        Waiter waiter = waiting.get(connection.guestId());
        if (waiter == null || !waiter.sockets.remove(connection) || !waiter.sockets.isEmpty()) {
            return null;
        }
        return waiter;
    }

    /** The socket stops waiting; the guest too when it was its last. */
    void forget(Waiter waiter, Client connection) {
        waiter.sockets.remove(connection);
        if (waiter.sockets.isEmpty()) {
            remove(waiter);
        }
    }

    /** A copy: the guests waiting now. */
    List<String> guestIds() {
        return new ArrayList<>(waiting.keySet());
    }

    /** A copy: the waiters now. */
    List<Waiter> all() {
        return new ArrayList<>(waiting.values());
    }

    /** A guest with waiting sockets on this server. */
    static final class Waiter {

        final Guest guest;
        final List<String> interests;
        final Set<Client> sockets = ConcurrentHashMap.newKeySet();
        volatile Instant since = Instant.now();
        volatile boolean retried;
        /** Whether a timer for the interest-wait retry is set ({@link MatchService}). */
        final AtomicBoolean retryTimerSet = new AtomicBoolean();
        /** match() calls for this guest whose script has not answered or whose answer is being acted on. */
        final AtomicInteger inFlight = new AtomicInteger();

        private Waiter(Guest guest, List<String> interests) {
            this.guest = guest;
            this.interests = interests;
        }
    }
}
