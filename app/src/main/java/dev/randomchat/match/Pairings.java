package dev.randomchat.match;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;

/** Frees a pair whose channel ended, keeping the two apart for a while, or for good when blocked. */
@Component
public class Pairings {

    /** After a plain leave, the same two guests are not paired again for this long. */
    static final Duration REMATCH_COOLDOWN = Duration.ofSeconds(60);

    private static final LuaScript UNPAIR = LuaScript.load(Pairings.class, "unpair.lua");

    private final Redis redis;
    private final QueueKeys keys;
    private final MatchProperties properties;

    Pairings(Redis redis, MatchProperties properties) {
        this.redis = redis;
        this.keys = QueueKeys.of(redis);
        this.properties = properties;
    }

    public Mono<Void> unpair(String a, String b, String channelId, boolean block) {
        Duration apart = block ? properties.blockTtl() : REMATCH_COOLDOWN;
        return redis.run(UNPAIR, keys.forUnpair(), a, b, channelId, Long.toString(apart.toMillis()),
                Long.toString(QueueKeys.KEY_TTL_MS)).then();
    }
}
