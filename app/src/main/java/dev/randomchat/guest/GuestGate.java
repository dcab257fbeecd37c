package dev.randomchat.guest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;


import com.fasterxml.jackson.annotation.JsonInclude;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

import dev.randomchat.safety.Bans;
import dev.randomchat.system.ApiException;
import dev.randomchat.system.ClientAddress;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.system.RandomIds;
import dev.randomchat.system.Redis;

/**
 * What a request must get past before a guest is created: an IP ban, the per-address creation rate
 * and, when on, a single-use proof-of-work challenge. Handing out challenges is limited per address
 * at the same rate, on a counter of its own: each costs a Redis key.
 */
@Component
class GuestGate {

    /** A challenge is good for this long after it was handed out. */
    static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    private static final int MAX_NONCE_CHARS = 64;

    private final GuestProperties properties;
    private final Redis redis;
    private final Bans bans;
    /** Guests created per address and minute, across servers. */
    private final MinuteLimit creations;
    /** Challenges handed out per address and minute, on counters of their own. */
    private final MinuteLimit challenges;

    GuestGate(GuestProperties properties, Redis redis, Bans bans) {
        this.properties = properties;
        this.redis = redis;
        this.bans = bans;
        this.creations = new MinuteLimit(redis, "guests", properties.creationsPerMinutePerIp());
        this.challenges = new MinuteLimit(redis, "challenges", properties.creationsPerMinutePerIp());
    }

    Mono<Challenge> challenge(ServerHttpRequest request) {
        return challenges.tryAcquire(ClientAddress.of(request))
                .flatMap(allowed -> allowed ? newChallenge()
                        : Mono.error(tooMany("too many challenges requested from this address; wait a minute")));
    }

    private Mono<Challenge> newChallenge() {
        if (properties.powBits() == 0) {
            return Mono.just(new Challenge(null, 0, null));
        }
        String challenge = RandomIds.next();
        Instant expiresAt = Instant.now().plus(CHALLENGE_TTL);
        return redis.commands()
                .setex(powKey(challenge), CHALLENGE_TTL.toSeconds(), "1")
                .thenReturn(new Challenge(challenge, properties.powBits(), expiresAt));
    }

    /**
     * The ban check and the creation count go to Redis together (a creation from a banned address
     * counts too, which changes nothing for it): one round trip at every arrival instead of two
     * after one another.
     */
    Mono<Void> admit(String challenge, String nonce, ServerHttpRequest request) {
        String ip = ClientAddress.of(request);
        return Mono.zip(bans.ipBanned(ip), creations.tryAcquire(ip))
                .flatMap(checks -> {
                    if (checks.getT1()) {
                        return Mono.error(ApiException.forbidden("this address may not create guests"));
                    }
                    return checks.getT2() ? proofOfWork(challenge, nonce)
                            : Mono.error(tooMany("too many guests created from this address; wait a minute"));
                });
    }

    private static ApiException tooMany(String refusal) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "Too many requests", refusal);
    }

    private Mono<Void> proofOfWork(String challenge, String nonce) {
        if (properties.powBits() == 0) {
            return Mono.empty();
        }
        if (challenge == null || nonce == null) {
            return Mono.error(ApiException.badRequest("proof of work required: solve GET /api/guests/challenge "
                    + "and send challenge and nonce"));
        }
        if (nonce.isEmpty() || nonce.length() > MAX_NONCE_CHARS || challenge.length() > 64) {
            return Mono.error(ApiException.badRequest("nonce must be 1 to " + MAX_NONCE_CHARS + " characters"));
        }
        if (!solves(challenge, nonce, properties.powBits())) {
            return Mono.error(ApiException.badRequest("proof of work is wrong: SHA-256 of challenge:nonce must start with "
                    + properties.powBits() + " zero bits"));
        }
        return redis.commands()
                .del(powKey(challenge))
                .flatMap(deleted -> deleted == 1 ? Mono.<Void>empty()
                        : Mono.error(ApiException.badRequest("challenge unknown, expired or already used")));
    }

    static boolean solves(String challenge, String nonce, int bits) {
        byte[] digest = sha256((challenge + ":" + nonce).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < bits; i++) {
            if ((digest[i / 8] & (0x80 >>> (i % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private String powKey(String challenge) {
        return redis.key("pow", challenge);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Challenge(String challenge, int bits, Instant expiresAt) {
    }

}
