package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * {@link ClientAddress} keys it: an IPv6 ban covers its /64. A socket upgrade asks Redis whether
 * its guest is banned only when {@link KnownBans}, this server's list of the guests that may be,
 * cannot tell.
 */
@Component
public class Bans {

    private static final Logger log = LoggerFactory.getLogger(Bans.class);
    private static final Mono<Boolean> NOT_BANNED = Mono.just(false);
    private static final String GUEST_MEMBER = "guest|";

    /** The list of active bans shows at most this many (the soonest to end first). */
    static final int MAX_LISTED = 500;
    /** Longer than the longest ban, so the index never expires under an active one. */
    private static final Duration INDEX_TTL = Duration.ofHours(AdminController.MAX_BAN_HOURS + 24);

    private final Redis redis;
    private final JsonMapper json;
    private final KnownBans known = new KnownBans(System::currentTimeMillis);

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
     * At a socket upgrade: whether the guest is banned (Redis is asked only when {@link KnownBans}
     * cannot tell). The address a report names is kept with the channel, not here (enter.lua).
     */
    public Mono<Boolean> admit(Guest guest) {
        long looked = known.lookup(guest.id());
        if (looked == KnownBans.CLEAR) {
            return NOT_BANNED;
        }
        return guestBanned(guest.id()).doOnNext(banned -> {
            if (!banned) {
                known.cleared(guest.id(), looked);
            }
        });
    }

    /**
     * Reads the active guest bans into {@link KnownBans}. Call it once the bans topic is
     * subscribed, and again after every reconnect to Redis: until it is done every upgrade asks
     * Redis.
     */
    Mono<Void> loadKnown() {
        int loadNumber = known.invalidate();
        return Mono.defer(() -> {
            long now = System.currentTimeMillis();
            return redis.commands().zrangebyscoreWithScores(index(), Range.create((double) now, Double.POSITIVE_INFINITY),
                            Limit.create(0, KnownBans.CAPACITY + 1L))
                    .collectList();
        }).doOnNext(members -> {
            Map<String, Long> guests = new HashMap<>();
            for (ScoredValue<String> member : members) {
                if (member.getValue().startsWith(GUEST_MEMBER)) {
                    guests.put(member.getValue().substring(GUEST_MEMBER.length()), (long) member.getScore());
                }
            }
            if (!known.loaded(loadNumber, guests, members.size() <= KnownBans.CAPACITY)) {
                log.warn("banned guests not listed here (more than {} bans, or Redis came back meanwhile): "
                        + "every socket upgrade asks Redis", KnownBans.CAPACITY);
            }
        }).then();
    }

    /** Whether upgrades of guests not on the list skip Redis (for tests). */
    boolean knownReady() {
        return known.ready();
    }

    /**
     * A ban announced on the topic: listed at once with the longest end a ban can have, then with
     * its own end once the index says it.
     */
    void heard(String guestId) {
        long provisional = System.currentTimeMillis() + INDEX_TTL.toMillis();
        known.heard(guestId, provisional);
        Mono.defer(() -> redis.commands().zscore(index(), GUEST_MEMBER + guestId))
                .subscribe(score -> known.endsAt(guestId, provisional, score.longValue()),
                        error -> log.debug("end of a ban not read: {}", error.toString()));
    }

    /** Bans a guest and tells every server to close its sockets (4003). */
    Mono<Ban> banGuest(String guestId, Duration duration, String actor, String reportId) {
        Ban ban = new Ban("guest", guestId, Instant.now().plus(duration), Instant.now(), actor, reportId);
        return save(guestKey(guestId), ban, duration)
                .doOnSuccess(saved -> known.heard(guestId, ban.until().toEpochMilli()))
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
}
