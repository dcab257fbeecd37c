package dev.randomchat.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

/**
 * Signs and checks the two kinds of token, and the server's signed download URLs.
 *
 * <p>Guest and channel tokens carry distinct audiences, so one kind never passes for the other.
 * Signatures are checked by jjwt, in constant time. A token without {@code exp} is refused like an
 * expired one: a token must stop working some day, even one signed by mistake without it.
 */
public class TokenService {

    static final String GUEST_AUDIENCE = "rc-guest";
    static final String CHANNEL_AUDIENCE = "rc-channel";
    private static final String CHANNEL_CLAIM = "chn";
    private static final String NAME_CLAIM = "name";

    private final SecretKey key;
    private final byte[] urlKey;
    private final Duration ttl;
    private final Clock clock;
    private final JwtParser guestParser;
    private final JwtParser channelParser;

    public TokenService(byte[] secret, Duration ttl, Clock clock) {
        this.key = Keys.hmacShaKeyFor(secret);
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
        String token = Jwts.builder()
                .subject(subject)
                .claim(claim, value)
                .audience().add(audience).and()
                .issuedAt(Date.from(now))
                .expiration(Date.from(expiresAt))
                .id(UUID.randomUUID().toString())
                .signWith(key, Jwts.SIG.HS256)
                .compact();
        return new IssuedToken(token, expiresAt);
    }

    public Optional<Guest> verifyGuest(String token) {
        return claims(guestParser, token)
                .filter(c -> c.get(NAME_CLAIM) instanceof String)
                .map(c -> new Guest(c.getSubject(), c.get(NAME_CLAIM, String.class)));
    }

    public Optional<ChannelGrant> verifyChannel(String token) {
        return claims(channelParser, token)
                .filter(c -> c.get(CHANNEL_CLAIM) instanceof String)
                .map(c -> new ChannelGrant(c.getSubject(), c.get(CHANNEL_CLAIM, String.class),
                        c.getExpiration().toInstant()));
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

    private Optional<Claims> claims(JwtParser parser, String token) {
        if (token == null || token.isBlank() || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            if (claims.getExpiration() == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(claims.getSubject()).map(subject -> claims);
        }
        catch (JwtException | IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private JwtParser parser(String audience) {
        return Jwts.parser()
                .verifyWith(key)
                .requireAudience(audience)
                .clock(() -> Date.from(clock.instant()))
                .build();
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }
}
