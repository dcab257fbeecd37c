package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.randomchat.auth.Guest;
import dev.randomchat.system.ClientAddress;
import dev.randomchat.system.Redis;

/**
 * Operator bans of guests and client addresses, each a Redis key that expires with the ban, plus
 * one sorted set of active bans by their end, for the console's list. An address is keyed as
 * {@link ClientAddress} keys it: an IPv6 ban covers its /64.
 */
@Component
public class Bans {

    /** The list of active bans shows at most this many (the soonest to end first). */
    static final int MAX_LISTED = 500;
    /** How long a guest's last name and address are kept for reports about it. */
    private static final Duration SEEN_TTL = Duration.ofDays(1);
    /** Longer than the longest ban, so the index never expires under an active one. */
    private static final Duration INDEX_TTL = Duration.ofHours(AdminController.MAX_BAN_HOURS + 24);

    private final Redis redis;
    private final JsonMapper json;

    Bans(Redis redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
    }

    public Mono<Boolean> guestBanned(String guestId) {
        return exists(guestKey(guestId));
    }

    /** Whether the address with this {@link ClientAddress} key is banned. */
    public Mono<Boolean> ipBanned(String ip) {
        return exists(addressKey(ip));
    }

    /**
     * The ban key of an address an operator typed: {@code 192.0.2.1}, an IPv6 address, or the
     * {@code .../64} prefix a ban shows; empty when it is none of these.
     */
    static Optional<String> parseAddress(String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        String text = typed.strip();
        String literal = text.endsWith("/64") && text.contains(":") ? text.substring(0, text.length() - 3) : text;
        return ClientAddress.literal(literal).map(ClientAddress::key);
    }

    /**
     * At a socket upgrade: whether the guest is banned, and, in the same round trip, a note of its
     * name and address key ({@link ClientAddress}) so a later report about it can name the
     * address to ban.
     */
    public Mono<Boolean> admit(Guest guest, String ip) {
        Seen seen = new Seen(guest.name(), ip);
        Mono<String> note = redis.command(commands -> commands
                .setex(seenKey(guest.id()), SEEN_TTL.toSeconds(), json.writeValueAsString(seen)));
        return Mono.zip(guestBanned(guest.id()), note.onErrorReturn("skipped"))
                .map(both -> both.getT1());
    }

    /** The name and address prefix last seen for a guest, if it connected within a day. */
    Mono<Seen> seen(String guestId) {
        return Mono.defer(() -> redis.commands().get(seenKey(guestId)))
                .map(text -> json.readValue(text, Seen.class));
    }

    /** Bans a guest and tells every server to close its sockets (4003). */
    Mono<Ban> banGuest(String guestId, Duration duration, String actor, String reportId) {
        Ban ban = new Ban("guest", guestId, Instant.now().plus(duration), Instant.now(), actor, reportId);
        return save(guestKey(guestId), ban, duration)
                .then(redis.publish(topic(), guestId))
                .thenReturn(ban);
    }

    /** Bans an address prefix: it gets 403 on {@code POST /api/guests}. */
    Mono<Ban> banAddress(String prefix, Duration duration, String actor, String reportId) {
        Ban ban = new Ban("address", prefix, Instant.now().plus(duration), Instant.now(), actor, reportId);
        return save(addressKey(prefix), ban, duration).thenReturn(ban);
    }

    /** Active bans, soonest to end first; entries whose ban ended are dropped on the way. */
    Mono<List<Ban>> active() {
        long now = Instant.now().toEpochMilli();
        return Mono.defer(() -> redis.commands().zremrangebyscore(index(), Range.create(0L, now)))
                .thenMany(Flux.defer(() -> redis.commands()
                        .zrangebyscore(index(), Range.create((double) now, Double.POSITIVE_INFINITY),
                                Limit.create(0, MAX_LISTED))))
                .concatMap(member -> redis.commands().get(keyOf(member)))
                .map(text -> json.readValue(text, Ban.class))
                .collectList();
    }

    /** Ends a ban early; emits the ban that was lifted, or nothing when there was none. */
    Mono<Ban> lift(String kind, String target) {
        String member = kind + "|" + target;
        String key = keyOf(member);
        return Mono.defer(() -> redis.commands().getdel(key))
                .map(text -> json.readValue(text, Ban.class))
                .flatMap(ban -> redis.commands().zrem(index(), member).thenReturn(ban));
    }

    /** The topic every server listens on for banned guests. */
    String topic() {
        return redis.key("{bans}", "events");
    }

    private Mono<Void> save(String key, Ban ban, Duration duration) {
        String member = ban.kind() + "|" + ban.target();
        return Mono.defer(() -> redis.commands().setex(key, duration.toSeconds(), json.writeValueAsString(ban)))
                .then(redis.commands().zadd(index(), ban.until().toEpochMilli(), member))
                .then(redis.commands().expire(index(), INDEX_TTL.toSeconds()))
                .then();
    }

    private String keyOf(String member) {
        int bar = member.indexOf('|');
        String kind = member.substring(0, bar);
        String target = member.substring(bar + 1);
        return "guest".equals(kind) ? guestKey(target) : addressKey(target);
    }

    private String guestKey(String guestId) {
        return redis.key("ban", "guest", guestId);
    }

    private String addressKey(String prefix) {
        return redis.key("ban", "ip", prefix);
    }

    private String seenKey(String guestId) {
        return redis.key("seen", guestId);
    }

    private String index() {
        return redis.key("bans");
    }

    private Mono<Boolean> exists(String key) {
        return redis.command(commands -> commands.exists(key))
                .map(count -> count > 0);
    }

    /** One ban: {@code kind} is {@code guest} or {@code address}; {@code target} the id or prefix. */
    record Ban(String kind, String target, Instant until, Instant at, String actor, String reportId) {
    }

    /** What a report needs to know about a guest beyond its id. */
    record Seen(String name, String address) {
    }
}
