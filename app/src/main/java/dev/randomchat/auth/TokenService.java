package dev.randomchat.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;

import javax.crypto.SecretKey;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.randomchat.system.RandomIds;

/**
 * Signs and checks the two kinds of token, and the server's signed download URLs.
 *
 * <p>Guest and channel tokens carry distinct audiences, so one kind never passes for the other.
 * Tokens are HS256 JWTs. Those of the form this server issues are signed and checked by
 * {@link CompactHs256} (jjwt's general machinery was most of the CPU of an upgrade and of a pairing);
 * a token of any other form is checked by jjwt. Either way the signature is compared in constant
 * time and the same claims are required. A token without {@code exp} is refused like an expired
 * one: a token must stop working some day, even one signed by mistake without it.
 */
public class TokenService {

    static final String GUEST_AUDIENCE = "rc-guest";
    static final String CHANNEL_AUDIENCE = "rc-channel";
    private static final String CHANNEL_CLAIM = "chn";
    private static final String NAME_CLAIM = "name";

    private final SecretKey key;
    private final CompactHs256 compact;
    private final byte[] urlKey;
    private final Duration ttl;
    private final Clock clock;
    private final JwtParser guestParser;
    private final JwtParser channelParser;

    public TokenService(byte[] secret, Duration ttl, Clock clock) {
        this.key = Keys.hmacShaKeyFor(secret);
        this.compact = new CompactHs256(secret);
        this.urlKey = hmac(secret, "download-url".getBytes(StandardCharsets.UTF_8));
        this.ttl = ttl;
        this.clock = clock;
        this.guestParser = parser(GUEST_AUDIENCE);
        this.channelParser = parser(CHANNEL_AUDIENCE);
    }

    public Duration ttl() {
        return ttl;
    }

    public IssuedToken issueGuest(Guest guest) {
        return sign(guest.id(), GUEST_AUDIENCE, NAME_CLAIM, guest.name());
    }

    public IssuedToken issueChannel(String guestId, String channelId) {
        return sign(guestId, CHANNEL_AUDIENCE, CHANNEL_CLAIM, channelId);
    }

    private IssuedToken sign(String subject, String audience, String claim, String value) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        ObjectNode payload = CompactHs256.newPayload()
                .put("sub", subject)
                .put(claim, value)
                .put("iat", now.getEpochSecond())
                .put("exp", expiresAt.getEpochSecond())
                .put("jti", RandomIds.next());
        payload.putArray("aud").add(audience);
        return new IssuedToken(compact.sign(payload), expiresAt);
    }

    public Optional<Guest> verifyGuest(String token) {
        return verify(token, GUEST_AUDIENCE, guestParser, NAME_CLAIM)
                .map(verified -> new Guest(verified.subject(), verified.claim()));
    }

    public Optional<ChannelGrant> verifyChannel(String token) {
        return verify(token, CHANNEL_AUDIENCE, channelParser, CHANNEL_CLAIM)
                .map(verified -> new ChannelGrant(verified.subject(), verified.claim(), verified.expiresAt()));
    }

    /** A URL-safe signature of {@code payload}, for links that must work without headers. */
    public String signUrl(String payload) {
        byte[] mac = hmac(urlKey, payload.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    public boolean verifyUrl(String payload, String signature) {
        byte[] expected = signUrl(payload).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    public Instant now() {
        return clock.instant();
    }

    /** What a valid token says: its subject, its kind's one claim, and when it expires. */
    private record Verified(String subject, String claim, Instant expiresAt) {
    }

    private Optional<Verified> verify(String token, String audience, JwtParser parser, String claim) {
        if (token == null || token.isBlank() || token.length() > 4096) {
            return Optional.empty();
        }
        return CompactHs256.handles(token) ? compact.verify(token).flatMap(payload -> checked(payload, audience, claim))
                : parsedByJjwt(parser, token, claim);
    }

    /** The checks jjwt makes (audience, expiry, not-before), plus ours: {@code exp}, subject and claim present. */
    private Optional<Verified> checked(JsonNode payload, String audience, String claim) {
        JsonNode aud = payload.path("aud");
        boolean forUs = aud.isArray() ? aud.valueStream().anyMatch(a -> audience.equals(a.asString(null)))
                : audience.equals(aud.asString(null));
        JsonNode exp = payload.path("exp");
        JsonNode nbf = payload.path("nbf");
        long nowMillis = clock.millis();
        if (!forUs || !exp.isNumber() || nowMillis > exp.longValue() * 1000
                || (!nbf.isMissingNode() && (!nbf.isNumber() || nowMillis < nbf.longValue() * 1000))) {
            return Optional.empty();
        }
        JsonNode subject = payload.path("sub");
        JsonNode value = payload.path(claim);
        if (!subject.isString() || subject.stringValue().isEmpty() || !value.isString()) {
            return Optional.empty();
        }
        return Optional.of(new Verified(subject.stringValue(), value.stringValue(), Instant.ofEpochSecond(exp.longValue())));
    }

    private static Optional<Verified> parsedByJjwt(JwtParser parser, String token, String claim) {
        try {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            if (claims.getExpiration() == null || claims.getSubject() == null || !(claims.get(claim) instanceof String)) {
                return Optional.empty();
            }
            return Optional.of(new Verified(claims.getSubject(), claims.get(claim, String.class),
                    claims.getExpiration().toInstant()));
        }
        catch (JwtException | IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private JwtParser parser(String audience) {
        return Jwts.parser()
                .json(new JwtJson(CompactHs256.JSON))
                .verifyWith(key)
                .requireAudience(audience)
                .clock(() -> Date.from(clock.instant()))
                .build();
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return CompactHs256.newMac(key).doFinal(data);
    }
}
