package dev.randomchat.socket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all sockets of this server may hold queued at once ({@code WS_OUTBOUND_TOTAL_BYTES}).
 * Past it, replays wait, droppable frames are shed and a socket holding more than a small share
 * is closed with 1013, so many slow clients together cannot exhaust the heap that each alone
 * could not.
 */
final class OutboundBudget {

    private final long limit;
    private final AtomicLong queued = new AtomicLong();

    OutboundBudget(long limit) {
        this.limit = limit;
    }

    /** {@code configured} bytes, or a quarter of the heap when it is 0. */
    static OutboundBudget of(long configured) {
        return new OutboundBudget(configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4);
    }

    void add(long bytes) {
        queued.addAndGet(bytes);
    }

    boolean spent() {
        return queued.get() >= limit;
    }

    long queued() {
        return queued.get();
    }

    long limit() {
        return limit;
    }
}
