package dev.randomchat.system;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * ZGC's soft heap limit follows the load. {@code app/jvm25.options} starts the server with a soft
 * limit of 256 MiB, so that a quiet server holds little memory; but while visitors arrive in
 * numbers (about 125 KB of short-lived garbage each) a collector held to 256 MiB runs young and
 * old cycles back to back: a quarter of the server's CPU per pair, and the tail of time to match
 * (bench/RESULTS.md, "A soft heap limit that follows the load"). The limit is a manageable flag
 * that ZGC reads at every decision, so once a second this sets it to what survived the last
 * collections plus what the server allocates in {@link Law#SPACING}: never below the limit the
 * JVM was started with, never above {@link Law#CEILING_FACTOR} times it (nor the maximum heap).
 * When the burst is over the limit falls back within seconds.
 *
 * <p>A burst's garbage would then sit in the heap until the collector next runs; much of it was
 * promoted to the old generation, which only a major collection takes. ZGC's own proactive rule
 * (a major collection once the heap has grown by a tenth of the soft limit since the last one)
 * ran every 5-15 s while visitors poured in, a major collection each time, in the middle of the
 * burst (bench/RESULTS.md, "A collection when the server falls quiet"), so {@code app/jvm25.options}
 * turns it off and this does its work when the server is quiet: once
 * {@link Law#QUIET_SECONDS} seconds in a row have allocated little, and the heap holds a tenth of
 * the quiet limit more than after the last major collection, it asks for one (concurrent on ZGC,
 * on a thread that may block), at most once per {@link Law#COLLECTION_SPACING}; ZGC then returns
 * the freed memory to the OS ({@code -XX:ZUncommitDelay}). After a burst that is 3 s after its end;
 * an idle server whose websocket pings make a little garbage is collected every few minutes.
 *
 * <p>Nothing is scheduled unless the JVM runs ZGC with a soft limit below its maximum heap and
 * can count the bytes its threads allocate (Java 21 or later), or when turned off
 * ({@code HEAP_HEADROOM=false}): then the limit stays what the JVM was given.
 */
@Component
class HeapHeadroom implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HeapHeadroom.class);

    private static final String SOFT_MAX = "SoftMaxHeapSize";
    private static final Duration TICK = Duration.ofSeconds(1);

    private final boolean enabled;
    private final HotSpotDiagnosticMXBean hotspot;
    private final LongSupplier allocatedBytes;
    private final List<MemoryPoolMXBean> heapPools;
    private final List<GarbageCollectorMXBean> majorCycles;
    private final Law law;
    private final Counter quietCollections;
    private volatile Disposable ticks;

    HeapHeadroom(JvmProperties properties, MeterRegistry meters) {
        this.hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
        this.majorCycles = majorCycleCollectors();
        this.allocatedBytes = totalAllocatedBytes();
        long floor = Long.parseLong(hotspot.getVMOption(SOFT_MAX).getValue());
        long maxHeap = Runtime.getRuntime().maxMemory();
        this.law = new Law(floor, maxHeap);
        String off = !properties.headroom() ? "turned off (HEAP_HEADROOM=false)"
                : !runsZgc() ? "the collector is not ZGC"
                : floor >= maxHeap ? "no soft heap limit below the maximum heap"
                : allocatedBytes == null ? "this JVM does not count allocated bytes (Java 21 or later does)"
                : null;
        this.enabled = off == null;
        if (enabled) {
            log.info("soft heap limit follows the load: {} MiB when quiet, up to {} MiB", floor >> 20,
                    law.ceiling() >> 20);
            Gauge.builder("jvm.heap.soft.limit", () -> Long.parseLong(hotspot.getVMOption(SOFT_MAX).getValue()))
                    .description("ZGC's soft heap limit, as it follows the allocation rate")
                    .baseUnit("bytes")
                    .register(meters);
        }
        else {
            log.debug("soft heap limit left as started: {}", off);
        }
        this.quietCollections = Counter.builder("jvm.heap.quiet.collections")
                .description("Major collections asked for once the server was quiet, so that the memory goes back to the OS")
                .register(meters);
    }

    @Override
    public void start() {
        if (enabled) {
            // The first reading is the baseline of the allocation count: a burst is seen at the first tick.
            adjust();
            ticks = Flux.interval(TICK, TICK).subscribe(tick -> adjust());
        }
    }

    private void adjust() {
        long allocated = allocatedBytes.getAsLong();
        if (allocated < 0) {
            return;
        }
        long limit = law.next(allocated, System.nanoTime(), survivors());
        if (limit > 0) {
            hotspot.setVMOption(SOFT_MAX, Long.toString(limit));
        }
        if (law.quietCollection(used(), majorCollections(), System.nanoTime())) {
            log.debug("quiet, and the heap has grown since the last major collection: collecting");
            quietCollections.increment();
            // System.gc() returns when the cycle is done (ZGC's runs beside the application): not on this tick's thread.
            Schedulers.boundedElastic().schedule(System::gc);
        }
    }

    /** What the heap holds now, garbage included. */
    private long used() {
        long total = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            total += pool.getUsage().getUsed();
        }
        return total;
    }

    /** The collectors that count major cycles (generational ZGC counts them apart; every cycle of the older ZGC is one). */
    static List<GarbageCollectorMXBean> majorCycleCollectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(collector -> collector.getName().endsWith("Cycles") && !collector.getName().contains("Minor"))
                .toList();
    }

    /** Major cycles so far. */
    private long majorCollections() {
        long total = 0;
        for (GarbageCollectorMXBean collector : majorCycles) {
            total += collector.getCollectionCount();
        }
        return total;
    }

    /**
     * What the collector kept: each generation's usage after its last collection, except the old
     * one's, which grows by promotion between its own (rare) collections and is taken as it is now.
     */
    private long survivors() {
        long total = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage kept = pool.getName().contains("Old") ? pool.getUsage() : pool.getCollectionUsage();
            total += kept == null ? 0 : kept.getUsed();
        }
        return total;
    }

    private static boolean runsZgc() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .anyMatch(name -> name.startsWith("ZGC"));
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes} (Java 21), looked up at
     * run time because the server is compiled for Java 17; null where it does not exist.
     */
    private static LongSupplier totalAllocatedBytes() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try {
            MethodHandle total = MethodHandles.publicLookup()
                    .findVirtual(com.sun.management.ThreadMXBean.class, "getTotalThreadAllocatedBytes",
                            MethodType.methodType(long.class))
                    .bindTo(threads);
            return () -> {
                try {
                    return (long) total.invokeExact();
                }
                catch (Throwable ex) {
                    return -1;
                }
            };
        }
        catch (ReflectiveOperationException | ClassCastException ex) {
            return null;
        }
    }

    @Override
    public void stop() {
        if (ticks != null) {
            ticks.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return ticks != null && !ticks.isDisposed();
    }

    /**
     * The limit from the allocation rate: it rises with the rate at once and, once the rate drops,
     * follows it down by a quarter a second (half in about 2.5 s), so a short lull in a burst
     * does not take the headroom away at once while the end of one gives the memory back in seconds.
     */
    static final class Law {

        /**
         * Heap a burst gets, as seconds of its allocation. ZGC starts a cycle once the free memory
         * left under the limit would run out within about its own cycle time at twice the
         * allocation rate; a cycle takes 0.3-1 s on two busy cores, so that margin ate most of a 4 s
         * headroom and cycles ran every 1-2 s. With 8 s they ran every 4-8 s in a burst
         * (bench/RESULTS.md, "Headroom that outlasts the collector's own margin").
         */
        static final Duration SPACING = Duration.ofSeconds(8);
        /** The busiest limit, as a multiple of the quiet one. */
        static final int CEILING_FACTOR = 4;
        /** How much of the remembered rate is kept after a second with a lower one. */
        private static final double DECAY_PER_SECOND = 0.75;
        /** Limits are set in steps of this: a change smaller than a step is not worth making. */
        private static final long STEP = 8L << 20;
        /**
         * A second is quiet when at its allocation rate the garbage would take longer than this to
         * fill the quiet limit: for 256 MiB, under 256 KiB a second. The pings of 5,000 idle sockets
         * make about 100 KiB a second, pairing 1,000 visitors a second about 2 MiB: with 2 MiB as
         * the line a collection ran in the middle of the bench's pairing, and the spacing then kept
         * the one its end needed from running.
         */
        static final int QUIET_FILL_SECONDS = 1024;
        /** Quiet seconds in a row before a collection. */
        static final int QUIET_SECONDS = 3;
        /** Growth since the last major collection worth one of its own, as a share of the quiet limit. */
        static final int GROWTH_DIVISOR = 10;
        /** The shortest time between two collections asked for. */
        static final Duration COLLECTION_SPACING = Duration.ofSeconds(60);

        private final long floor;
        private final long ceiling;
        private long lastAllocated = -1;
        private long lastNanos;
        private double rate;
        private long limit;
        private double lastRate;
        private int quietSeconds;
        private long majorCollections = -1;
        private long usedAfterMajor;
        private long lastCollection = Long.MIN_VALUE;

        Law(long floor, long maxHeap) {
            this.floor = floor;
            this.ceiling = Math.max(floor, Math.min(maxHeap, floor * CEILING_FACTOR));
            this.limit = floor;
        }

        long ceiling() {
            return ceiling;
        }

        /**
         * Takes the JVM's allocated bytes so far, the time, and what survived the last
         * collections; answers the new limit, or 0 to leave it as it is.
         */
        long next(long allocated, long nanos, long survivors) {
            if (lastAllocated < 0) {
                lastAllocated = allocated;
                lastNanos = nanos;
                return 0;
            }
            double seconds = (nanos - lastNanos) / 1e9;
            if (seconds <= 0) {
                return 0;
            }
            double now = Math.max(0, allocated - lastAllocated) / seconds;
            lastRate = now;
            rate = Math.max(now, rate * Math.pow(DECAY_PER_SECOND, seconds));
            lastAllocated = allocated;
            lastNanos = nanos;
            long wanted = survivors + (long) (rate * SPACING.toSeconds());
            long next = Math.min(ceiling, Math.max(floor, ceilStep(wanted)));
            if (next == limit) {
                return 0;
            }
            limit = next;
            return next;
        }

        /**
         * Called after {@link #next} with the heap in use and the count of major collections so
         * far: true at a {@link #QUIET_SECONDS}th quiet second in a row or later, when the heap
         * holds a {@link #GROWTH_DIVISOR}th of the quiet limit more than it did at the first tick
         * after the last major collection, and none was asked for in the last
         * {@link #COLLECTION_SPACING}.
         */
        boolean quietCollection(long used, long majors, long nanos) {
            if (majors != majorCollections) {
                majorCollections = majors;
                usedAfterMajor = used;
            }
            if (lastRate * QUIET_FILL_SECONDS >= floor) {
                quietSeconds = 0;
                return false;
            }
            if (++quietSeconds < QUIET_SECONDS || used - usedAfterMajor < floor / GROWTH_DIVISOR
                    || lastCollection != Long.MIN_VALUE && nanos - lastCollection < COLLECTION_SPACING.toNanos()) {
                return false;
            }
            lastCollection = nanos;
            return true;
        }

        private static long ceilStep(long bytes) {
            return (bytes + STEP - 1) / STEP * STEP;
        }
    }
}
