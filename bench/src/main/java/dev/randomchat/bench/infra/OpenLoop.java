package dev.randomchat.bench.infra;

import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop sender: item {@code i} is due at {@code start + i / rate}, whatever happened to the
 * items before it. A sender that stalls catches up in a burst rather than quietly lowering the
 * rate, and latencies are measured from the intended time, so a slow server cannot hide its queue
 * behind a slow client (no coordinated omission).
 */
public final class OpenLoop {

    /** The sender looks at the clock at least this often. */
    private static final long TICK_NANOS = 200_000;

    private OpenLoop() {
    }

    /** Receives each due item with its intended send time ({@link System#nanoTime()} scale). */
    public interface Emitter {

        void emit(long index, long intendedNanos);

        /** Called after each batch of due items. */
        default void flush() {
        }
    }

    /** Emits {@code total} items at {@code rate} per second on the calling thread; returns the start time. */
    public static long run(double rate, long total, Emitter emitter) {
        double nanosPerItem = 1e9 / rate;
        long start = System.nanoTime() + 1_000_000;
        long next = 0;
        while (next < total) {
            long now = System.nanoTime();
            long due = Math.min(total, (long) Math.floor((now - start) / nanosPerItem) + 1);
            if (due <= next) {
                long wait = start + (long) (next * nanosPerItem) - now;
                LockSupport.parkNanos(Math.max(1, Math.min(TICK_NANOS, wait)));
                continue;
            }
            for (; next < due; next++) {
                emitter.emit(next, start + (long) (next * nanosPerItem));
            }
            emitter.flush();
        }
        return start;
    }
}
