package dev.randomchat.guest;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Guest creation behind a proof-of-work challenge (GUEST_POW_BITS above 0). */
class ProofOfWorkIntegrationTests {

    private static final int BITS = 10;
    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = ChatServer.start(Map.of("GUEST_POW_BITS", Integer.toString(BITS)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void acceptsARightSolutionOnce() {
        JsonNode challenge = challenge();
        assertThat(challenge.get("bits").asInt()).isEqualTo(BITS);
        assertThat(challenge.get("expiresAt").asString()).isNotBlank();
        String nonce = solve(challenge.get("challenge").asString(), BITS);
        assertThat(create(challenge.get("challenge").asString(), nonce).statusCode()).isEqualTo(201);
        HttpResponse<String> reused = create(challenge.get("challenge").asString(), nonce);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("already used");
    }

    @Test
    void refusesAMissingSolution() {
        HttpResponse<String> response = Guests.post(server.uri("/api/guests"), "{\"name\":\"Bot\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("proof of work required");
    }

    @Test
    void refusesAWrongSolutionWithoutUsingUpTheChallenge() {
        JsonNode challenge = challenge();
        String id = challenge.get("challenge").asString();
        String wrong = wrongNonce(id, BITS);
        HttpResponse<String> response = create(id, wrong);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("proof of work is wrong");
        assertThat(create(id, solve(id, BITS)).statusCode()).isEqualTo(201);
    }

    @Test
    void refusesAnExpiredChallenge() {
        JsonNode challenge = challenge();
        String id = challenge.get("challenge").asString();
        Redis redis = server.bean(Redis.class);
        String key = redis.key("pow", id);
        redis.commands().pexpire(key, 1).block(WsClient.WAIT);
        await().atMost(WsClient.WAIT).until(() -> redis.commands().exists(key).block(WsClient.WAIT) == 0);
        HttpResponse<String> response = create(id, solve(id, BITS));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("expired");
    }

    @Test
    void answersBitsZeroWhenOff() {
        try (ChatServer plain = ChatServer.start(Map.of())) {
            HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(plain.uri("/api/guests/challenge"))
                    .timeout(WsClient.WAIT).build());
            assertThat(Guests.JSON.readTree(response.body()).get("bits").asInt()).isZero();
        }
    }

    private static JsonNode challenge() {
        HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(server.uri("/api/guests/challenge"))
                .timeout(WsClient.WAIT).build());
        assertThat(response.statusCode()).isEqualTo(200);
        return Guests.JSON.readTree(response.body());
    }

    private static HttpResponse<String> create(String challenge, String nonce) {
        return Guests.post(server.uri("/api/guests"), Guests.JSON.writeValueAsString(
                Map.of("name", "Ada", "challenge", challenge, "nonce", nonce)));
    }

    static String solve(String challenge, int bits) {
        for (long n = 0; n < 50_000_000L; n++) {
            if (leadingZeroBits(challenge, Long.toString(n)) >= bits) {
                return Long.toString(n);
            }
        }
        throw new AssertionError("no nonce found");
    }

    private static String wrongNonce(String challenge, int bits) {
        for (long n = 0; ; n++) {
            if (leadingZeroBits(challenge, Long.toString(n)) < bits) {
                return Long.toString(n);
            }
        }
    }

    private static int leadingZeroBits(String challenge, String nonce) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((challenge + ":" + nonce).getBytes(StandardCharsets.UTF_8));
            int bits = 0;
            for (byte b : digest) {
                if (b == 0) {
                    bits += 8;
                    continue;
                }
                return bits + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
            }
            return bits;
        }
        catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
