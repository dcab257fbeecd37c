package dev.randomchat.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenServiceTests {

    private static final byte[] SECRET = "unit-test-secret-unit-test-secret-0123".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "another-secret-another-secret-0123456".getBytes(StandardCharsets.UTF_8);
    private static final Duration TTL = Duration.ofHours(1);
    /** A whole second, because JWT times have second precision. */
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final Guest ADA = new Guest("guest-1", "Ada");

    private final TokenService tokens = service(SECRET, NOW);

    @Test
    void guestTokenRoundTrips() {
        IssuedToken issued = tokens.issueGuest(ADA);

        assertThat(issued.expiresAt()).isEqualTo(NOW.plus(TTL));
        assertThat(tokens.verifyGuest(issued.token())).contains(ADA);
    }

    @Test
    void guestTokenKeepsNamesOutsideAscii() {
        Guest emoji = new Guest("guest-2", "Zoë 😀");

        assertThat(tokens.verifyGuest(tokens.issueGuest(emoji).token())).contains(emoji);
    }

    @Test
    void channelTokenRoundTrips() {
        IssuedToken issued = tokens.issueChannel("guest-1", "channel-1");

        assertThat(tokens.verifyChannel(issued.token()))
                .contains(new ChannelGrant("guest-1", "channel-1", NOW.plus(TTL)));
    }

    @Test
    void tokensWithoutExpiryAreRefusedLikeExpiredOnes() {
        SecretKey key = Keys.hmacShaKeyFor(SECRET);
        String guest = Jwts.builder().subject("guest-1").claim("name", "Ada")
                .audience().add(TokenService.GUEST_AUDIENCE).and().signWith(key).compact();
        String channel = Jwts.builder().subject("guest-1").claim("chn", "channel-1")
                .audience().add(TokenService.CHANNEL_AUDIENCE).and().signWith(key).compact();

        assertThat(tokens.verifyGuest(guest)).isEmpty();
        assertThat(tokens.verifyChannel(channel)).isEmpty();
    }

    @Test
    void guestTokenNeverPassesForChannelToken() {
        String guestToken = tokens.issueGuest(ADA).token();

        assertThat(tokens.verifyChannel(guestToken)).isEmpty();
    }

    @Test
    void channelTokenNeverPassesForGuestToken() {
        String channelToken = tokens.issueChannel("guest-1", "channel-1").token();

        assertThat(tokens.verifyGuest(channelToken)).isEmpty();
    }

    @Test
    void tokensWorkUntilTheyExpireAndNeverAfter() {
        String guestToken = tokens.issueGuest(ADA).token();
        String channelToken = tokens.issueChannel("guest-1", "channel-1").token();

        TokenService justBefore = service(SECRET, NOW.plus(TTL).minusSeconds(1));
        TokenService justAfter = service(SECRET, NOW.plus(TTL).plusSeconds(1));

        assertThat(justBefore.verifyGuest(guestToken)).isPresent();
        assertThat(justBefore.verifyChannel(channelToken)).isPresent();
        assertThat(justAfter.verifyGuest(guestToken)).isEmpty();
        assertThat(justAfter.verifyChannel(channelToken)).isEmpty();
    }

    @Test
    void refusesGuestTokenWithChangedPayload() {
        String token = tokens.issueGuest(ADA).token();
        String[] parts = token.split("\\.");
        String payload = decode(parts[1]).replace("\"Ada\"", "\"Eve\"");
        String forged = parts[0] + "." + encode(payload) + "." + parts[2];

        assertThat(decode(parts[1])).contains("\"Ada\"");
        assertThat(tokens.verifyGuest(forged)).isEmpty();
    }

    @Test
    void refusesChannelTokenMovedToAnotherChannel() {
        String token = tokens.issueChannel("guest-1", "channel-1").token();
        String[] parts = token.split("\\.");
        String payload = decode(parts[1]).replace("channel-1", "channel-2");
        String forged = parts[0] + "." + encode(payload) + "." + parts[2];

        assertThat(tokens.verifyChannel(forged)).isEmpty();
    }

    @Test
    void refusesTokenWithChangedSignature() {
        String token = tokens.issueGuest(ADA).token();
        int middle = token.lastIndexOf('.') + 10;
        char changed = token.charAt(middle) == 'A' ? 'B' : 'A';
        String forged = token.substring(0, middle) + changed + token.substring(middle + 1);

        assertThat(tokens.verifyGuest(forged)).isEmpty();
    }

    @Test
    void refusesTokenWithoutSignature() {
        String token = tokens.issueGuest(ADA).token();

        assertThat(tokens.verifyGuest(token.substring(0, token.lastIndexOf('.') + 1))).isEmpty();
    }

    @Test
    void refusesTokensSignedWithAnotherKey() {
        TokenService other = service(OTHER_SECRET, NOW);

        assertThat(tokens.verifyGuest(other.issueGuest(ADA).token())).isEmpty();
        assertThat(tokens.verifyChannel(other.issueChannel("guest-1", "channel-1").token())).isEmpty();
    }

    @Test
    void refusesUnsignedTokensWithAlgNone() {
        String[] parts = tokens.issueGuest(ADA).token().split("\\.");
        String header = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");

        assertThat(tokens.verifyGuest(header + "." + parts[1] + ".")).isEmpty();
        assertThat(tokens.verifyGuest(header + "." + parts[1] + "." + parts[2])).isEmpty();
        assertThat(tokens.verifyGuest(header + "." + parts[1])).isEmpty();
    }

    @Test
    void refusesTokensThatAreNotTokens() {
        assertThat(tokens.verifyGuest(null)).isEmpty();
        assertThat(tokens.verifyGuest("")).isEmpty();
        assertThat(tokens.verifyGuest("   ")).isEmpty();
        assertThat(tokens.verifyGuest("not-a-token")).isEmpty();
        assertThat(tokens.verifyGuest("a.b.c")).isEmpty();
        assertThat(tokens.verifyChannel("x".repeat(5000))).isEmpty();
    }

    @Test
    void signedUrlVerifiesOnlyForItsOwnPayload() {
        String signature = tokens.signUrl("channel-1/file-1/1893499200");

        assertThat(signature).matches("[A-Za-z0-9_-]+");
        assertThat(tokens.verifyUrl("channel-1/file-1/1893499200", signature)).isTrue();
        assertThat(tokens.verifyUrl("channel-1/file-2/1893499200", signature)).isFalse();
        assertThat(tokens.verifyUrl("channel-1/file-1/1893499201", signature)).isFalse();
    }

    @Test
    void signedUrlRefusesChangedOrForeignSignatures() {
        String signature = tokens.signUrl("channel-1/file-1");
        char changed = signature.charAt(5) == 'A' ? 'B' : 'A';
        String tampered = signature.substring(0, 5) + changed + signature.substring(6);

        assertThat(tokens.verifyUrl("channel-1/file-1", tampered)).isFalse();
        assertThat(tokens.verifyUrl("channel-1/file-1", signature.substring(1))).isFalse();
        assertThat(tokens.verifyUrl("channel-1/file-1", "")).isFalse();
        assertThat(tokens.verifyUrl("channel-1/file-1", service(OTHER_SECRET, NOW).signUrl("channel-1/file-1")))
                .isFalse();
    }

    @Test
    void signedUrlKeyIsNotTheTokenKey() {
        String payload = "channel-1/file-1";
        String[] parts = tokens.issueGuest(ADA).token().split("\\.");

        assertThat(tokens.signUrl(payload)).isNotEqualTo(parts[2]);
        assertThat(tokens.verifyUrl(parts[0] + "." + parts[1], parts[2])).isFalse();
    }

    // Tokens this server issues are signed and checked by CompactHs256, not jjwt: both must agree.

    @Test
    void issuedTokensPassJjwtsOwnChecks() {
        SecretKey key = Keys.hmacShaKeyFor(SECRET);
        var guest = Jwts.parser().verifyWith(key).requireAudience(TokenService.GUEST_AUDIENCE)
                .clock(() -> Date.from(NOW)).build()
                .parseSignedClaims(tokens.issueGuest(new Guest("guest-2", "Zoë 😀 \"q\"")).token());
        var channel = Jwts.parser().verifyWith(key).requireAudience(TokenService.CHANNEL_AUDIENCE)
                .clock(() -> Date.from(NOW)).build()
                .parseSignedClaims(tokens.issueChannel("guest-1", "channel-1").token());

        assertThat(guest.getHeader().getAlgorithm()).isEqualTo("HS256");
        assertThat(guest.getPayload().getSubject()).isEqualTo("guest-2");
        assertThat(guest.getPayload().get("name")).isEqualTo("Zoë 😀 \"q\"");
        assertThat(guest.getPayload().getExpiration().toInstant()).isEqualTo(NOW.plus(TTL));
        assertThat(guest.getPayload().getId()).isNotBlank();
        assertThat(channel.getPayload().get("chn")).isEqualTo("channel-1");
    }

    @Test
    void tokensSignedByJjwtAreAcceptedInEitherForm() {
        SecretKey key = Keys.hmacShaKeyFor(SECRET);
        Date exp = Date.from(NOW.plus(TTL));
        // The form earlier servers issued (header {"alg":"HS256"}), checked without jjwt...
        String plain = Jwts.builder().subject("guest-1").claim("name", "Ada")
                .audience().add(TokenService.GUEST_AUDIENCE).and().expiration(exp).signWith(key).compact();
        // ...and another form (a typ header, a single-string audience), checked by jjwt.
        String typed = Jwts.builder().header().type("JWT").and().subject("guest-1").claim("name", "Ada")
                .audience().single(TokenService.GUEST_AUDIENCE).expiration(exp).signWith(key).compact();

        assertThat(plain).startsWith(CompactHs256.HEADER + ".");
        assertThat(typed).doesNotStartWith(CompactHs256.HEADER + ".");
        assertThat(tokens.verifyGuest(plain)).contains(ADA);
        assertThat(tokens.verifyGuest(typed)).contains(ADA);
    }

    @Test
    void compactTokensAreRefusedForEveryFlawJjwtWouldRefuse() {
        long exp = NOW.plus(TTL).getEpochSecond();
        String claims = "\"sub\":\"guest-1\",\"name\":\"Ada\"";

        assertThat(tokens.verifyGuest(signed("{" + claims + ",\"aud\":\"rc-guest\",\"exp\":" + exp + "}")))
                .as("a single-string audience is valid").contains(ADA);
        assertThat(tokens.verifyGuest(signed("{" + claims + ",\"aud\":[\"rc-channel\"],\"exp\":" + exp + "}")))
                .as("another audience").isEmpty();
        assertThat(tokens.verifyGuest(signed("{" + claims + ",\"exp\":" + exp + "}"))).as("no audience").isEmpty();
        assertThat(tokens.verifyGuest(signed("{" + claims + ",\"aud\":\"rc-guest\",\"exp\":\"" + exp + "\"}")))
                .as("exp as text").isEmpty();
        assertThat(tokens.verifyGuest(signed("{" + claims + ",\"aud\":\"rc-guest\",\"exp\":" + exp + ",\"nbf\":"
                + (NOW.getEpochSecond() + 60) + "}"))).as("not valid yet").isEmpty();
        assertThat(tokens.verifyGuest(signed("{\"name\":\"Ada\",\"aud\":\"rc-guest\",\"exp\":" + exp + "}")))
                .as("no subject").isEmpty();
        assertThat(tokens.verifyGuest(signed("{\"sub\":\"guest-1\",\"name\":7,\"aud\":\"rc-guest\",\"exp\":" + exp + "}")))
                .as("a name that is not text").isEmpty();
        assertThat(tokens.verifyGuest(signed("[1,2]"))).as("a payload that is not an object").isEmpty();
        assertThat(tokens.verifyGuest(signed("{not json"))).as("a payload that is not JSON").isEmpty();

        String good = tokens.issueGuest(ADA).token();
        assertThat(tokens.verifyGuest(good + "=")).as("a padded signature").isEmpty();
        assertThat(tokens.verifyGuest(good + ".x")).as("a fourth segment").isEmpty();
        assertThat(tokens.verifyGuest(good.substring(0, good.indexOf('.') + 1) + good.substring(good.lastIndexOf('.'))))
                .as("no payload").isEmpty();
    }

    /** A compact token of this payload, signed with the test key as the server signs. */
    private static String signed(String payloadJson) {
        try {
            String signedPart = CompactHs256.HEADER + "." + encode(payloadJson);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            return signedPart + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(signedPart.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static TokenService service(byte[] secret, Instant now) {
        return new TokenService(secret, TTL, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
