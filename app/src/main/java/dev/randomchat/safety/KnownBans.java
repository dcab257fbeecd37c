package dev.randomchat.safety;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This server's list of the guests that may be banned, so that the socket upgrade of any other
 * guest, nearly every one, needs no Redis round trip for its ban check. The list errs one way
 * only: once {@link #loaded loaded} from the bans index it holds every active guest ban, and every
 * ban announced since ({@link #heard}); a guest on it is asked about in Redis, and dropped from it
 * when Redis says it is not banned (lifted, or ended). While the list is not ready every guest is
 * asked about in Redis: before the first load, from a reconnect to Redis (announcements may have
 * been missed) until the next load, and once it would hold more than {@link #CAPACITY} guests.
 */
final class KnownBans {

    /** More active guest bans than this and every upgrade asks Redis (about 100 bytes each here). */
    static final int CAPACITY = 100_000;
    /** {@link #lookup}: the guest is surely not banned. */
    static final long CLEAR = Long.MIN_VALUE;
    /** {@link #lookup}: not on the list, but the list is not ready. */
    private static final long UNLISTED = Long.MIN_VALUE + 1;

    private final Map<String, Long> endsAt = new ConcurrentHashMap<>();
    private int generation;
    private final LongSupplier clock;
    private volatile boolean ready;

    KnownBans(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Every guest is asked about in Redis until the load this returns the number of is done.
     * Synchronized with {@link #loaded}, so a load overtaken meanwhile never makes the list ready;
     * lookups take no lock.
     */
    synchronized int invalidate() {
        ready = false;
        return ++generation;
    }

    /**
     * The active guest bans read from the index (guest id to its end, epoch ms), after the
     * invalidation numbered {@code loadNumber}; {@code complete}: the read was not cut short. A
     * load overtaken by a newer invalidation changes nothing.
     */
    synchronized boolean loaded(int loadNumber, Map<String, Long> bans, boolean complete) {
        if (!complete || bans.size() > CAPACITY) {
            return false;
        }
        long now = clock.getAsLong();
        endsAt.values().removeIf(until -> until <= now);
        endsAt.putAll(bans);
        if (generation != loadNumber || endsAt.size() > CAPACITY) {
            return false;
        }
        ready = true;
        return true;
    }

    /** A ban announced (or made here): the guest is asked about in Redis until Redis clears it. */
    void heard(String guestId, long until) {
        endsAt.put(guestId, until);
        if (endsAt.size() > CAPACITY) {
            endsAt.clear();
            invalidate();
        }
    }

    /**
     * {@link #CLEAR} when the guest is surely not banned; anything else means: ask Redis, and
     * hand this value to {@link #cleared} if Redis says it is not banned.
     */
    long lookup(String guestId) {
        Long until = endsAt.get(guestId);
        if (until == null) {
            return ready ? CLEAR : UNLISTED;
        }
        if (until <= clock.getAsLong()) {
            endsAt.remove(guestId, until);
            return ready ? CLEAR : UNLISTED;
        }
        return until;
    }

    /**
     * Redis said the guest is not banned (its ban was lifted) when the list had {@code looked}
     * for it: it leaves the list, unless a ban was heard meanwhile. A marker value ({@link #CLEAR},
     * unlisted) matches no entry, which always holds an epoch millisecond.
     */
    void cleared(String guestId, long looked) {
        endsAt.remove(guestId, looked);
    }

    /** The ban heard with a provisional end turned out to end at {@code until}. */
    void endsAt(String guestId, long provisional, long until) {
        endsAt.replace(guestId, provisional, until);
    }

    boolean ready() {
        return ready;
    }

    int size() {
        return endsAt.size();
    }
}
