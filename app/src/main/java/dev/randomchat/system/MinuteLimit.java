package dev.randomchat.system;

import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * A limit of events per key per minute, kept in Redis so every server counts against the same
 * number: one counter per key and minute, one script call per event ({@code count.lua}), or
 * counted inside another script that holds the counter's key ({@link #counter}).
 */
public final class MinuteLimit {

    private static final LuaScript COUNT = LuaScript.load(MinuteLimit.class, "count.lua");
    /** A minute's counter outlives its minute a little, for servers whose clocks lag. */
    public static final String COUNTER_SECONDS = "120";

    private final Redis redis;
    private final String slot;
    private final String name;
    private final int perMinute;

    public MinuteLimit(Redis redis, String name, int perMinute) {
        this(redis, null, name, perMinute);
    }

    private MinuteLimit(Redis redis, String slot, String name, int perMinute) {
        this.redis = redis;
        this.slot = slot;
        this.name = name;
        this.perMinute = perMinute;
    }

    /**
     * A limit whose counters share a Redis Cluster hash slot ({@code "{q}"}), so a script on that
     * slot can count an event in the same step as its own work.
     */
    public static MinuteLimit inSlot(Redis redis, String slot, String name, int perMinute) {
        return new MinuteLimit(redis, slot, name, perMinute);
    }

    /** Counts one event for {@code key}; emits whether it is within the limit. */
    public Mono<Boolean> tryAcquire(String key) {
        return redis.run(COUNT, List.of(counter(key)), COUNTER_SECONDS)
                .map(count -> Long.parseLong(count) <= perMinute);
    }

    /** The counter {@code key}'s events of this minute count against. */
    public String counter(String key) {
        String minute = Long.toString(Instant.now().getEpochSecond() / 60);
        return slot == null ? redis.key("rate", name, key, minute) : redis.key(slot, "rate", name, key, minute);
    }

    public int perMinute() {
        return perMinute;
    }
}
