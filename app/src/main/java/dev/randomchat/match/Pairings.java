package dev.randomchat.match;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelEndListener;
import dev.randomchat.chat.PairedChannels;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;

/**
 * Frees a pair whose channel ended, keeping the two apart for a while, or for good when blocked.
 * Told first of every channel's end, before the other listeners clean up.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class Pairings implements ChannelEndListener, PairedChannels {

    /** After a plain leave, the same two guests are not paired again for this long. */
    static final Duration REMATCH_COOLDOWN = Duration.ofSeconds(60);

    private static final LuaScript UNPAIR = LuaScript.load(Pairings.class, "unpair.lua");

    private final Redis redis;
    private final QueueKeys keys;
    private final MatchProperties properties;
    private final JsonMapper json;

    Pairings(Redis redis, MatchProperties properties, JsonMapper json) {
        this.redis = redis;
        this.keys = QueueKeys.of(redis);
        this.properties = properties;
        this.json = json;
    }

    /** A channel its guests ended frees their pair; an expired channel's pair lapses with its keys. */
    @Override
    public Mono<Void> channelEnded(ChannelEnd end) {
        if (end.guests().size() != 2) {
            return Mono.empty();
        }
        return unpair(end.guests().get(0), end.guests().get(1), end.channelId(), end.blocked());
    }

    public Mono<Void> unpair(String a, String b, String channelId, boolean block) {
        Duration apart = block ? properties.blockTtl() : REMATCH_COOLDOWN;
        return redis.run(UNPAIR, keys.forUnpair(), a, b, channelId, Long.toString(apart.toMillis()),
                Long.toString(QueueKeys.KEY_TTL_MS)).then();
    }

    /** The channel each of these guests is paired in, for those that are. */
    @Override
    public Mono<Map<String, String>> currentChannels(List<String> guests) {
        if (guests.isEmpty()) {
            return Mono.just(Map.of());
        }
        return Flux.defer(() -> redis.commands().hmget(keys.current(), guests.toArray(String[]::new)))
                .filter(entry -> entry.hasValue())
                .collect(HashMap<String, String>::new,
                        (channels, entry) -> channels.put(entry.getKey(), json.readTree(entry.getValue()).get("c").stringValue()))
                .map(Map::copyOf);
    }

    /** Guests in the waiting queue, across all servers. */
    public Mono<Long> waitingCount() {
        return Mono.defer(() -> redis.commands().hlen(keys.waiters()));
    }
}
