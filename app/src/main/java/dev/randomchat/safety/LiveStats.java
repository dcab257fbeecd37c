package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.KeyValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;
import dev.randomchat.system.Ticks;

/**
 * The live state across all servers, from Redis counters: every server adds what its own meters
 * counted since its last flush to a bucket per minute (a hash that expires after two hours) and
 * writes its gauges (sockets open, guests waiting) next to its id. Reading sums the servers.
 *
 * <p>Cost: each server sends at most seven commands every {@link #FLUSH_INTERVAL}, whatever its
 * traffic, together in one round trip; two (its line and the line's expiry) when its counts and
 * gauges have not changed within the minute. The console's hour series reads 60 hashes. No key
 * scans.
 */
@Component
class LiveStats {

    /** How often each server writes its counts; the console is at most this much behind. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(3);
    /** A server that has not written for this long is gone and no longer counted. */
    static final Duration SERVER_STALE = Duration.ofSeconds(20);
    static final int SERIES_MINUTES = 60;
    private static final Duration BUCKET_TTL = Duration.ofMinutes(SERIES_MINUTES + 60);
    /** Counter meters that become per-minute figures, by the bucket field they fill. */
    private static final Map<String, String> COUNTERS = Map.of(
            "pairs", "chat.matches",
            "messages", "chat.messages.relayed",
            "uploads", "chat.uploads");

    private final Redis redis;
    private final MeterRegistry meters;
    private final String serverId;
    private final Map<String, Double> flushed = new HashMap<>();
    private final Map<String, Meter> found = new ConcurrentHashMap<>();
    /** The minute and the gauges last written to a bucket ("" none yet; a failed flush writes them again). */
    private volatile String lastBucketGauges = "";

    LiveStats(Redis redis, MeterRegistry meters, ServerId serverId) {
        this.redis = redis;
        this.meters = meters;
        this.serverId = serverId.value();
    }

    /** One more report today (reports are rare: counted directly). */
    Mono<Void> reported() {
        String key = dayKey(LocalDate.now(ZoneOffset.UTC));
        return Mono.defer(() -> redis.commands().incr(key))
                .then(redis.commands().expire(key, Duration.ofDays(2).toSeconds()))
                .then()
                .onErrorResume(ex -> Mono.empty());
    }

    @Autowired
    void flushOn(Ticks ticks) {
        ticks.every("live counts", FLUSH_INTERVAL, FLUSH_INTERVAL, this::flush);
    }

    Mono<Void> flush() {
        return Mono.defer(this::flushNow)
                .onErrorResume(ex -> Mono.empty());
    }

    private Mono<Void> flushNow() {
        if (!redis.connected()) {
            return Mono.empty();
        }
        long nowMillis = System.currentTimeMillis();
        long minute = nowMillis / 60_000;
        String bucket = bucketKey(minute);
        Map<String, Long> deltas = deltas();
        long sockets = gauge("chat.sockets.open");
        long waiting = gauge("chat.waiting");
        String bucketGauges = minute + " " + sockets + " " + waiting;
        List<Mono<?>> writes = new ArrayList<>();
        // The minute's bucket only when something in it changed: an idle server's flush is its own
        // line, two commands.
        if (!deltas.isEmpty() || !bucketGauges.equals(lastBucketGauges)) {
            deltas.forEach((field, delta) -> writes.add(redis.commands().hincrby(bucket, field, delta)));
            writes.add(redis.commands().hset(bucket, Map.of("sockets@" + serverId, Long.toString(sockets),
                    "waiting@" + serverId, Long.toString(waiting))));
            writes.add(redis.commands().expire(bucket, BUCKET_TTL.toSeconds()));
        }
        writes.add(redis.commands().hset(serversKey(), serverId, sockets + " " + waiting + " " + nowMillis));
        writes.add(redis.commands().expire(serversKey(), SERVER_STALE.multipliedBy(3).toSeconds()));
        // Sent together, in one round trip (Redis runs a connection's commands in the order sent).
        return Mono.when(writes)
                .then(Mono.fromRunnable(() -> written(deltas, bucketGauges)));
    }

    /** What each counter counted since the last successful flush (a failed one is counted again). */
    private synchronized Map<String, Long> deltas() {
        Map<String, Long> deltas = new LinkedHashMap<>();
        COUNTERS.forEach((field, meter) -> {
            Counter counter = found(meter, Counter.class);
            double total = counter == null ? 0 : counter.count();
            long delta = (long) (total - flushed.getOrDefault(field, 0.0));
            if (delta > 0) {
                deltas.put(field, delta);
            }
        });
        return deltas;
    }

    private synchronized void written(Map<String, Long> deltas, String bucketGauges) {
        deltas.forEach((field, delta) -> flushed.merge(field, (double) delta, Double::sum));
        lastBucketGauges = bucketGauges;
    }

    private long gauge(String name) {
        Gauge gauge = found(name, Gauge.class);
        return gauge == null ? 0 : Math.round(gauge.value());
    }

    /**
     * A meter of this server's registry by name, looked up once it exists: a registry search
     * tests every meter (hundreds), five of them every flush.
     */
    private <M extends Meter> M found(String name, Class<M> type) {
        Meter meter = found.get(name);
        if (meter == null) {
            meter = meters.find(name).meter();
            if (meter == null) {
                return null;
            }
            found.put(name, meter);
        }
        return type.isInstance(meter) ? type.cast(meter) : null;
    }

    /** Now: the gauges summed over live servers, the last 60 s of counts, reports today. */
    Mono<Now> now() {
        long nowMillis = Instant.now().toEpochMilli();
        long minute = nowMillis / 60_000;
        double intoMinute = (nowMillis % 60_000) / 60_000.0;
        Mono<long[]> servers = hash(serversKey())
                .map(all -> liveServers(all, nowMillis));
        Mono<Map<String, String>> current = hash(bucketKey(minute));
        Mono<Map<String, String>> previous = hash(bucketKey(minute - 1));
        Mono<Long> reports = Mono.defer(() -> redis.commands().get(dayKey(LocalDate.now(ZoneOffset.UTC))))
                .map(Long::parseLong)
                .defaultIfEmpty(0L);
        return Mono.zip(servers, current, previous, reports)
                .map(all -> new Now(Instant.ofEpochMilli(nowMillis), (int) all.getT1()[2], all.getT1()[0],
                        all.getT1()[1], lastMinute(all.getT2(), all.getT3(), intoMinute, "pairs"),
                        lastMinute(all.getT2(), all.getT3(), intoMinute, "messages"),
                        lastMinute(all.getT2(), all.getT3(), intoMinute, "uploads"), all.getT4()));
    }

    /** The last hour, one point per minute, oldest first; the current minute is the last point. */
    Mono<List<Point>> series() {
        long minute = Instant.now().getEpochSecond() / 60;
        return Flux.range(0, SERIES_MINUTES)
                .map(ago -> minute - (SERIES_MINUTES - 1) + ago)
                .flatMapSequential(m -> hash(bucketKey(m))
                        .map(bucket -> point(m, bucket)), 8)
                .collectList();
    }

    private static Point point(long minute, Map<String, String> bucket) {
        long sockets = 0;
        long waiting = 0;
        for (var field : bucket.entrySet()) {
            if (field.getKey().startsWith("sockets@")) {
                sockets += Long.parseLong(field.getValue());
            }
            else if (field.getKey().startsWith("waiting@")) {
                waiting += Long.parseLong(field.getValue());
            }
        }
        return new Point(Instant.ofEpochSecond(minute * 60), sockets, waiting, count(bucket, "pairs"),
                count(bucket, "messages"), count(bucket, "uploads"));
    }

    /** Sockets, waiting, and the number of servers that wrote recently. */
    private static long[] liveServers(Map<String, String> all, long nowMillis) {
        long[] sums = new long[3];
        all.values().forEach(value -> {
            String[] parts = value.split(" ");
            if (parts.length == 3 && nowMillis - Long.parseLong(parts[2]) <= SERVER_STALE.toMillis()) {
                sums[0] += Long.parseLong(parts[0]);
                sums[1] += Long.parseLong(parts[1]);
                sums[2]++;
            }
        });
        return sums;
    }

    /** This minute so far plus the part of the previous minute still within the last 60 s. */
    private static long lastMinute(Map<String, String> current, Map<String, String> previous, double intoMinute,
            String field) {
        return count(current, field) + Math.round(count(previous, field) * (1 - intoMinute));
    }

    private static long count(Map<String, String> bucket, String field) {
        String value = bucket.get(field);
        return value == null ? 0 : Long.parseLong(value);
    }

    private Mono<Map<String, String>> hash(String key) {
        return Flux.defer(() -> redis.commands().hgetall(key))
                .collectMap(KeyValue::getKey, KeyValue::getValue);
    }

    private String bucketKey(long minute) {
        return redis.key("live", "m", Long.toString(minute));
    }

    private String serversKey() {
        return redis.key("live", "servers");
    }

    private String dayKey(LocalDate day) {
        return redis.key("live", "reports", day.toString());
    }

    record Now(Instant at, int servers, long socketsOpen, long waiting, long pairsPerMinute, long messagesPerMinute,
            long uploadsPerMinute, long reportsToday) {
    }

    record Point(Instant minute, long sockets, long waiting, long pairs, long messages, long uploads) {
    }
}
