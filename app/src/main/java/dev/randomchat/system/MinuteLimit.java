package dev.randomchat.system;

import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * A limit of events per key per minute, kept in Redis so every server counts against the same
 * number: one counter per key and minute, one script call per event.
 */
public final class MinuteLimit {

    private static final LuaScript COUNT = LuaScript.load(MinuteLimit.class, "count.lua");
    /** A minute's counter outlives its minute a little, for servers whose clocks lag. */
    private static final String COUNTER_SECONDS = "120";

    private final Redis redis;
    private final String name;
    private final int perMinute;

    public MinuteLimit(Redis redis, String name, int perMinute) {
        this.redis = redis;
        this.name = name;
        this.perMinute = perMinute;
    }

    /** Counts one event for {@code key}; emits whether it is within the limit. */
    public Mono<Boolean> tryAcquire(String key) {
        String counter = redis.key("rate", name, key, Long.toString(Instant.now().getEpochSecond() / 60));
        return redis.run(COUNT, List.of(counter), COUNTER_SECONDS)
                .map(count -> Long.parseLong(count) <= perMinute);
    }
}
