package dev.randomchat.call;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.TwoServers;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Video and voice signalling (protocol 7.2) between guests on two servers sharing one real Redis:
 * Ada is always on server one, Bob on server two, so every relay here crosses servers.
 */
class CallIntegrationTests {

    private static final String TURN_SECRET = "call-test-turn-secret-0123456789";
    private static final long TURN_TTL_SECONDS = 600;
    private static final int MAX_MESSAGE_BYTES = 1024;
    private static final int MAX_SIGNAL_BYTES = 8192;
    /** Short, so a guest whose socket closed is gone soon; no other test here closes a socket early. */
    private static final int PEER_GONE_SECONDS = 2;

    @RegisterExtension
    static final TwoServers servers = new TwoServers(Map.of(
            "PEER_GONE_SECONDS", Integer.toString(PEER_GONE_SECONDS),
            "MAX_MSG_SIZE_BYTE", Integer.toString(MAX_MESSAGE_BYTES),
            "MAX_SIGNAL_BYTES", Integer.toString(MAX_SIGNAL_BYTES),
            "TURN_URLS", "turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp",
            "TURN_SECRET", TURN_SECRET,
            "TURN_TTL_SECONDS", Long.toString(TURN_TTL_SECONDS),
            "STUN_URLS", "stun:127.0.0.1:3478"));

    @Test
    void relaysSignalsAcrossServersOnlyWithinAnAcceptedCallAndNeverEchoes() {
        double acceptedBefore = counter(servers.two(), "chat.calls.accepted");
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.ada.send(media("request", "c1", List.of("video", "audio")));
            JsonNode request = pair.bob.await("media");
            assertThat(request.get("action").asString()).isEqualTo("request");
            assertThat(request.get("from").asString()).isEqualTo(pair.ada.id());
            assertThat(request.get("callId").asString()).isEqualTo("c1");
            assertThat(strings(request.get("kinds"))).containsExactly("video", "audio");

            pair.ada.send(signal("c1", Map.of("type", "offer", "sdp", "too early")));
            assertThat(refused(pair.ada, "signal").get("code").asString()).isEqualTo("bad_request");

            pair.bob.send(media("accept", "c1", List.of("video", "audio")));
            JsonNode accept = pair.ada.await("media");
            assertThat(accept.get("action").asString()).isEqualTo("accept");
            assertThat(accept.get("from").asString()).isEqualTo(pair.bob.id());

            // Larger than MAX_MSG_SIZE_BYTE, within MAX_SIGNAL_BYTES.
            String sdp = "v=0\r\n" + "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n".repeat(60);
            pair.ada.send(signal("c1", Map.of("type", "offer", "sdp", sdp)));
            JsonNode offer = pair.bob.await("signal");
            assertThat(offer.get("from").asString()).isEqualTo(pair.ada.id());
            assertThat(offer.get("callId").asString()).isEqualTo("c1");
            assertThat(offer.get("data").get("sdp").asString()).isEqualTo(sdp).hasSizeGreaterThan(MAX_MESSAGE_BYTES);
            pair.bob.send(signal("c1", Map.of("type", "answer", "sdp", "v=0")));
            assertThat(pair.ada.await("signal").get("data").get("type").asString()).isEqualTo("answer");

            pair.ada.send(media("hangup", "c1", List.of()));
            JsonNode hangup = pair.bob.await("media");
            assertThat(hangup.get("action").asString()).isEqualTo("hangup");
            assertThat(hangup.get("from").asString()).isEqualTo(pair.ada.id());
            pair.bob.send(signal("c1", Map.of("candidate", "after the end")));
            assertThat(refused(pair.bob, "signal").get("code").asString()).isEqualTo("bad_request");
            pair.ada.send(signal("c1", Map.of("candidate", "after the end")));
            assertThat(refused(pair.ada, "signal").get("code").asString()).isEqualTo("bad_request");

            barrier(pair.ada, pair.bob);
            barrier(pair.bob, pair.ada);
            assertThat(pair.bob.socket().frames("signal")).hasSize(1);
            assertThat(pair.ada.socket().frames("signal")).hasSize(1);
            assertThat(pair.ada.socket().frames("media")).allMatch(f -> f.get("from").asString().equals(pair.bob.id()));
            assertThat(pair.bob.socket().frames("media")).allMatch(f -> f.get("from").asString().equals(pair.ada.id()));
            assertThat(counter(servers.two(), "chat.calls.accepted")).isEqualTo(acceptedBefore + 1);
        }
    }

    @Test
    void refusesASignalOverMaxSignalBytes() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "big");
            pair.ada.send(signal("big", Map.of("type", "offer", "sdp", "x".repeat(MAX_SIGNAL_BYTES))));
            assertThat(pair.ada.socket().await(isError("too_large"), WsClient.WAIT)).isNotNull();
            barrier(pair.ada, pair.bob);
            assertThat(pair.bob.socket().frames("signal")).isEmpty();
        }
    }

    @Test
    void acceptNeedsAPendingRequestFromThePeer() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.bob.send(media("accept", "c1", List.of("audio")));
            assertThat(refused(pair.bob, "media").get("code").asString()).isEqualTo("bad_request");

            pair.ada.send(media("request", "c1", List.of("audio")));
            pair.bob.await("media");
            pair.ada.send(media("accept", "c1", List.of("audio")));
            assertThat(refused(pair.ada, "media").get("code").asString()).isEqualTo("bad_request");
            pair.bob.send(media("accept", "other", List.of("audio")));
            assertThat(refused(pair.bob, "media").get("code").asString()).isEqualTo("bad_request");

            pair.bob.send(media("decline", "c1", List.of()));
            assertThat(pair.ada.await("media").get("action").asString()).isEqualTo("decline");
            pair.bob.send(media("accept", "c1", List.of("audio")));
            assertThat(refused(pair.bob, "media").get("code").asString()).isEqualTo("bad_request");
            pair.ada.send(signal("c1", Map.of("candidate", "declined")));
            assertThat(refused(pair.ada, "signal").get("code").asString()).isEqualTo("bad_request");
            barrier(pair.bob, pair.ada);
            assertThat(pair.ada.socket().frames("media")).hasSize(1);
        }
    }

    @Test
    void refusesANewRequestWhileACallIsActive() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "first");
            pair.bob.send(media("request", "second", List.of("video")));
            assertThat(refused(pair.bob, "media").get("code").asString()).isEqualTo("bad_request");
            pair.ada.send(media("request", "third", List.of("audio")));
            assertThat(refused(pair.ada, "media").get("code").asString()).isEqualTo("bad_request");
            // The call in progress is untouched.
            pair.bob.send(signal("first", Map.of("candidate", "still on")));
            assertThat(pair.ada.await("signal").get("callId").asString()).isEqualTo("first");
        }
    }

    @Test
    void leavingHangsUpAnActiveCallForBothBeforeEnded() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "live");
            pair.bob.send(Map.of("type", "leave"));
            for (Visitor guest : List.of(pair.ada, pair.bob)) {
                guest.await("ended");
                assertServerHangupBeforeEnded(guest, "live");
            }
        }
    }

    @Test
    void reportingHangsUpAnActiveCallForBothBeforeEnded() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "reported");
            pair.ada.send(Map.of("type", "report", "reason", "abuse"));
            for (Visitor guest : List.of(pair.ada, pair.bob)) {
                guest.await("ended");
                assertServerHangupBeforeEnded(guest, "reported");
            }
        }
    }

    @Test
    void aPeerGoneHangsUpTheCallForTheOneLeftBeforeEnded() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "gone");
            pair.bob.close();
            JsonNode ended = pair.ada.socket().await(f -> "ended".equals(f.path("type").asString()),
                    WsClient.WAIT.plusSeconds(PEER_GONE_SECONDS));
            assertThat(ended.get("reason").asString()).isEqualTo("gone");
            assertServerHangupBeforeEnded(pair.ada, "gone");
        }
    }

    @Test
    void fitsACallSetupBurstOfCandidatesBesideTheFrameRateLimit() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            call(pair, "burst");
            int burst = 100;
            for (int i = 0; i < burst; i++) {
                pair.ada.send(signal("burst", Map.of("candidate", "candidate:" + i, "sdpMid", "0")));
            }
            // Chat frames still have their own allowance after the burst.
            pair.ada.send(Map.of("type", "send", "cmid", "after-burst", "text", "hi"));
            pair.ada.await("ack");
            org.awaitility.Awaitility.await().atMost(WsClient.WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> pair.bob.socket().frames("signal").size() >= burst);
            List<String> candidates = pair.bob.socket().frames("signal").stream()
                    .map(f -> f.get("data").get("candidate").asString()).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                expected.add("candidate:" + i);
            }
            assertThat(candidates).containsExactlyElementsOf(expected);
            assertThat(pair.ada.socket().frames("error")).isEmpty();
        }
    }

    @Test
    void refusesMalformedMediaFramesAndFramesOutsideAChannel() {
        try (Visitor loner = Visitor.arrive(servers.one(), "Lou")) {
            loner.send(media("request", "c1", List.of("video")));
            assertThat(loner.socket().await(isError("not_in_channel"), WsClient.WAIT).get("ref").asString())
                    .isEqualTo("media");
            loner.send(signal("c1", Map.of("type", "offer")));
            assertThat(loner.socket().await(isError("not_in_channel"), WsClient.WAIT).get("ref").asString())
                    .isEqualTo("signal");
        }
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            List<Map<String, Object>> wrong = List.of(
                    Map.of("type", "media", "action", "request", "callId", "c1"),
                    Map.of("type", "media", "action", "request", "callId", "c1", "kinds", List.of()),
                    Map.of("type", "media", "action", "request", "callId", "c1", "kinds", List.of("screen")),
                    Map.of("type", "media", "action", "request", "callId", "bad id!", "kinds", List.of("audio")),
                    Map.of("type", "media", "action", "dial", "callId", "c1", "kinds", List.of("audio")),
                    Map.of("type", "signal", "callId", "c1", "data", "not an object"));
            for (Map<String, Object> frame : wrong) {
                pair.ada.socket().sendMalformed(frame);
                assertThat(pair.ada.await("error").get("code").asString()).as(frame.toString()).isEqualTo("bad_request");
            }
            barrier(pair.ada, pair.bob);
            assertThat(pair.bob.socket().frames("media")).isEmpty();
        }
    }

    @Test
    void handsOutTurnCredentialsThatVerifyWithTheSharedSecretAndExpire() throws Exception {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two()); MatchedPair others = MatchedPair.match(servers.one(), servers.two())) {
            long before = Instant.now().getEpochSecond();
            HttpResponse<String> response = ice(servers.two(), pair.channelId, pair.bobToken);
            long after = Instant.now().getEpochSecond();
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Guests.JSON.readTree(response.body());
            assertThat(body.get("ttlSeconds").asLong()).isEqualTo(TURN_TTL_SECONDS);
            JsonNode iceServers = body.get("iceServers");
            assertThat(iceServers).hasSize(2);
            assertThat(strings(iceServers.get(0).get("urls"))).containsExactly("stun:127.0.0.1:3478");
            assertThat(iceServers.get(0).has("credential")).isFalse();
            JsonNode turn = iceServers.get(1);
            assertThat(strings(turn.get("urls"))).containsExactly("turn:127.0.0.1:3478?transport=udp",
                    "turn:127.0.0.1:3478?transport=tcp");
            String username = turn.get("username").asString();
            assertThat(username).endsWith(":" + pair.bob.id());
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertThat(expiry).isBetween(before + TURN_TTL_SECONDS, after + TURN_TTL_SECONDS);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(TURN_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
            assertThat(turn.get("credential").asString()).isEqualTo(expected);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");

            assertThat(ice(servers.one(), pair.channelId, null).statusCode()).isEqualTo(401);
            assertThat(ice(servers.one(), pair.channelId, "not-a-token").statusCode()).isEqualTo(401);
            assertThat(ice(servers.one(), pair.channelId, others.adaToken).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void handsOutNoTurnCredentialsOnceTheChannelEnded() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            assertThat(ice(servers.one(), pair.channelId, pair.adaToken).statusCode()).isEqualTo(200);
            pair.bob.send(Map.of("type", "leave"));
            pair.ada.await("ended");
            // Both tokens are still valid for a day; the channel is not.
            HttpResponse<String> afterEnd = ice(servers.one(), pair.channelId, pair.adaToken);
            assertThat(afterEnd.statusCode()).isEqualTo(410);
            assertThat(afterEnd.body()).contains("the channel is closed").doesNotContain("credential");
            assertThat(ice(servers.two(), pair.channelId, pair.bobToken).statusCode()).isEqualTo(410);
        }
    }

    @Test
    void listsOnlyStunServersWithoutTurnSettings() throws Exception {
        String cluster = ChatServer.newCluster();
        try (ChatServer stunOnly = ChatServer.start(cluster, Map.of("STUN_URLS", "stun:127.0.0.1:3478",
                "TURN_URLS", "turn:127.0.0.1:3478"));
                MatchedPair pair = MatchedPair.match(stunOnly, stunOnly)) {
            JsonNode body = Guests.JSON.readTree(ice(stunOnly, pair.channelId, pair.adaToken).body());
            assertThat(body.get("iceServers")).hasSize(1);
            assertThat(strings(body.get("iceServers").get(0).get("urls"))).containsExactly("stun:127.0.0.1:3478");
            assertThat(body.get("iceServers").get(0).has("username")).isFalse();
        }
    }

    private static void call(MatchedPair pair, String callId) {
        pair.ada.send(media("request", callId, List.of("video", "audio")));
        pair.bob.await("media");
        pair.bob.send(media("accept", callId, List.of("video", "audio")));
        pair.ada.await("media");
    }

    private static void assertServerHangupBeforeEnded(Visitor guest, String callId) {
        List<JsonNode> frames = guest.socket().frames();
        int hangup = indexOf(frames, f -> "media".equals(f.path("type").asString())
                && "server".equals(f.path("from").asString()) && "hangup".equals(f.path("action").asString())
                && callId.equals(f.path("callId").asString()));
        int ended = indexOf(frames, f -> "ended".equals(f.path("type").asString()));
        assertThat(hangup).as(guest.name() + " got the server's hangup").isNotNegative();
        assertThat(hangup).as(guest.name() + " got the hangup before ended").isLessThan(ended);
    }

    private static int indexOf(List<JsonNode> frames, Predicate<JsonNode> matching) {
        for (int i = 0; i < frames.size(); i++) {
            if (matching.test(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Everything {@code from} sent before this has been relayed to {@code to} once {@code to} sees it. */
    private static void barrier(Visitor from, Visitor to) {
        from.send(Map.of("type", "typing", "active", true));
        to.await("typing");
    }

    private static JsonNode refused(Visitor guest, String ref) {
        return guest.socket().await(f -> "error".equals(f.path("type").asString()) && ref.equals(f.path("ref").asString()),
                WsClient.WAIT);
    }

    private static Predicate<JsonNode> isError(String code) {
        return f -> "error".equals(f.path("type").asString()) && code.equals(f.path("code").asString());
    }

    private static Map<String, Object> media(String action, String callId, List<String> kinds) {
        return kinds.isEmpty() ? Map.of("type", "media", "action", action, "callId", callId)
                : Map.of("type", "media", "action", action, "callId", callId, "kinds", kinds);
    }

    private static Map<String, Object> signal(String callId, Map<String, String> data) {
        return Map.of("type", "signal", "callId", callId, "data", data);
    }

    private static List<String> strings(JsonNode array) {
        return array.values().stream().map(JsonNode::asString).toList();
    }

    private static double counter(ChatServer server, String name) {
        var counter = server.bean(MeterRegistry.class).find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    private static HttpResponse<String> ice(ChatServer server, String channelId, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/channels/" + channelId + "/ice"))
                .timeout(WsClient.WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Guests.send(request.build());
    }
}
