package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;

/**
 * Operator bans of guests and client addresses, each a Redis key that expires with the ban. An
 * address is keyed as {@link dev.randomchat.system.ClientAddress} keys it: an IPv6 ban covers its /64.
 */
@Component
public class Bans {

    private final Redis redis;

    Bans(Redis redis) {
        this.redis = redis;
    }

    public Mono<Boolean> guestBanned(String guestId) {
        return exists(redis.key("ban", "guest", guestId));
    }

    /** Whether the address with this {@link dev.randomchat.system.ClientAddress} key is banned. */
    public Mono<Boolean> ipBanned(String ip) {
        return exists(redis.key("ban", "ip", ip));
    }

    /** Bans a guest and tells every server to close its sockets (4003). */
    Mono<Instant> banGuest(String guestId, Duration duration) {
        return ban(redis.key("ban", "guest", guestId), duration)
                .flatMap(until -> redis.publish(topic(), guestId).thenReturn(until));
    }

    /** The topic every server listens on for banned guests. */
    String topic() {
        return redis.key("{bans}", "events");
    }

    Mono<Instant> banIp(String ip, Duration duration) {
        return ban(redis.key("ban", "ip", ip), duration);
    }

    private Mono<Instant> ban(String key, Duration duration) {
        Instant until = Instant.now().plus(duration);
        return redis.commands()
                .setex(key, duration.toSeconds(), until.toString())
                .thenReturn(until);
    }

    private Mono<Boolean> exists(String key) {
        return Mono.defer(() -> redis.commands().exists(key))
                .map(count -> count > 0);
    }
}
