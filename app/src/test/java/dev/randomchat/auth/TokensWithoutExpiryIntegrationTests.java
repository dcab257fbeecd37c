package dev.randomchat.auth;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md 1: a guest or channel token without {@code exp} is refused like an expired one, at
 * the upgrade and on HTTP, although it is signed with the servers' own key. The same tokens with
 * {@code exp} pass, so nothing else about them is wrong.
 */
class TokensWithoutExpiryIntegrationTests {

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = ChatServer.start(Map.of());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aGuestTokenWithoutExpiryIsRefusedAtTheUpgradeAndOnHttp() {
        String never = guestToken(false);
        String expiring = guestToken(true);

        assertThat(upgrade(never)).isEqualTo(401);
        assertThat(me(never)).isEqualTo(401);
        assertThat(upgrade(expiring)).as("accepted (WsClient says -1)").isEqualTo(-1);
        assertThat(me(expiring)).isEqualTo(200);
    }

    @Test
    void aChannelTokenWithoutExpiryIsRefusedOnHttp() {
        String channel = "c" + System.nanoTime();

        assertThat(history(channel, channelToken(channel, false))).isEqualTo(401);
        assertThat(history(channel, channelToken(channel, true))).as("with exp: past auth").isNotEqualTo(401);
    }

    private static int upgrade(String token) {
        return WsClient.upgradeStatus(server.wsUri(), Map.of("Authorization", "Bearer " + token));
    }

    private static int me(String token) {
        return Guests.send(HttpRequest.newBuilder(server.uri("/api/guests/me"))
                .header("Authorization", "Bearer " + token).timeout(WsClient.WAIT).build()).statusCode();
    }

    private static int history(String channel, String token) {
        return Guests.send(HttpRequest.newBuilder(server.uri("/api/channels/" + channel + "/messages"))
                .header("Authorization", "Bearer " + token).timeout(WsClient.WAIT).build()).statusCode();
    }

    private static String guestToken(boolean withExpiry) {
        return signed(Jwts.builder().subject("g" + System.nanoTime()).claim("name", "Ada")
                .audience().add(TokenService.GUEST_AUDIENCE).and(), withExpiry);
    }

    private static String channelToken(String channel, boolean withExpiry) {
        return signed(Jwts.builder().subject("g" + System.nanoTime()).claim("chn", channel)
                .audience().add(TokenService.CHANNEL_AUDIENCE).and(), withExpiry);
    }

    private static String signed(JwtBuilder builder, boolean withExpiry) {
        Instant now = Instant.now();
        builder.issuedAt(Date.from(now));
        if (withExpiry) {
            builder.expiration(Date.from(now.plusSeconds(600)));
        }
        return builder.signWith(Keys.hmacShaKeyFor(ChatServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
                .compact();
    }
}
