package dev.randomchat.chat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.TwoServers;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of a chat (PROTOCOL 7.1) on two servers: a guest gone for PEER_GONE_SECONDS ends the
 * channel, one back in time resumes it, a killed server's guests count as gone once its presence
 * lapses; report and block after the end, within the window and after it; the stats.
 */
class ChannelEndIntegrationTests {

    private static final String ADMIN = "admin-token-for-tests-0123456789";
    private static final int PEER_GONE_SECONDS = 3;
    /** The socket close grace (3 s), the gone period and the ticker, with room for a loaded machine. */
    private static final Duration GONE_WAIT = Duration.ofSeconds(PEER_GONE_SECONDS + 15);
    /** A dead server's presence lapses within 30 s; then the gone period runs. */
    private static final Duration DEAD_SERVER_WAIT = Duration.ofSeconds(30 + PEER_GONE_SECONDS + 15);
    private static final Duration QUIET = Duration.ofMillis(800);

    @RegisterExtension
    static final TwoServers servers = new TwoServers(Map.of("ADMIN_TOKEN", ADMIN, "PEER_GONE_SECONDS", Integer.toString(PEER_GONE_SECONDS),
            "REPORT_WINDOW_SECONDS", "120"));

    @Test
    void endsTheChannelAsGoneWhenAGuestStaysAwayAndFreesThePair() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.bob.close();
            JsonNode ended = pair.ada.socket().await(type("ended"), GONE_WAIT);
            assertThat(ended.get("channelId").asString()).isEqualTo(pair.channelId);
            assertThat(ended.get("reason").asString()).isEqualTo("gone");
            assertThat(ended.get("by").asString()).isEqualTo(pair.bob.id());
            assertThat(pair.ada.socket().frames("ended")).hasSize(1);

            // Unpaired like a leave: a new match is a new wait, not the old channel again.
            pair.ada.send(Map.of("type", "match"));
            pair.ada.await("waiting");
            pair.ada.send(Map.of("type", "cancel"));
            pair.ada.await("cancelled");

            // The gone guest's join learns that the channel is closed.
            try (Visitor back = Visitor.arriveAs(pair.bob, servers.one())) {
                back.send(Map.of("type", "join", "token", pair.bobToken));
                assertThat(back.await("error").get("code").asString()).isEqualTo("channel_closed");
            }
        }
    }

    @Test
    void resumesWhenTheGuestComesBackInTime() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.bob.close();
            pair.ada.socket().await(frame -> "presence".equals(frame.path("type").asString())
                    && !frame.path("peerOnline").asBoolean(), GONE_WAIT);
            pair.bob = Visitor.arriveAs(pair.bob, servers.one());
            pair.bob.send(Map.of("type", "join", "token", pair.bobToken));
            pair.bob.await("joined");
            pair.ada.socket().assertNoFrame("ended", Duration.ofSeconds(PEER_GONE_SECONDS + 4));

            pair.bob.send(Map.of("type", "send", "cmid", "back", "text", "still here"));
            pair.bob.await("ack");
            pair.ada.socket().await(frame -> "back".equals(frame.path("cmid").asString()), WsClient.WAIT);
        }
    }

    @Test
    void endsTheChannelOfAKilledServersGuestOnceItsPresenceLapses() {
        try (ServerProcess doomed = ServerProcess.start(servers.cluster(), Map.of("PEER_GONE_SECONDS",
                Integer.toString(PEER_GONE_SECONDS)));
                Visitor bob = Visitor.arrive(servers.one(), "Bob")) {
            JsonNode adaGuest = Guests.create(doomed.baseUrl(), "Ada");
            WsClient ada = WsClient.connect(doomed.wsUri(), adaGuest.get("token").asString());
            ada.await("hello");
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            String channelId = bob.await("matched").get("channelId").asString();
            ada.await("matched");

            doomed.kill();
            long killedAt = System.nanoTime();
            JsonNode ended = bob.socket().await(type("ended"), DEAD_SERVER_WAIT);
            Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
            assertThat(ended.get("channelId").asString()).isEqualTo(channelId);
            assertThat(ended.get("reason").asString()).isEqualTo("gone");
            assertThat(ended.get("by").asString()).isEqualTo(adaGuest.get("id").asString());
            assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(30 + PEER_GONE_SECONDS + 2));
            ada.close();
        }
    }

    @Test
    void reportsAndBlocksAfterTheEndFromAnotherSocketStoringOneReport() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.bob.send(Map.of("type", "send", "cmid", "rude", "text", "something abusive"));
            pair.bob.await("ack");
            pair.bob.send(Map.of("type", "leave"));
            pair.ada.await("ended");

            // A new socket of Ada's, on the other server, in no channel.
            try (WsClient later = pair.ada.connect(servers.two())) {
                Map<String, Object> report = Map.of("type", "report", "reason", "abuse", "note", "after they left",
                        "channelId", pair.channelId, "token", pair.adaToken);
                later.send(report);
                assertThat(later.await("reported").get("channelId").asString()).isEqualTo(pair.channelId);
                later.send(report);
                assertThat(later.await("reported").get("channelId").asString()).isEqualTo(pair.channelId);
                later.send(Map.of("type", "block", "channelId", pair.channelId, "token", pair.adaToken));
                assertThat(later.await("blocked").get("channelId").asString()).isEqualTo(pair.channelId);
                assertThat(later.frames("error")).isEmpty();
            }

            List<JsonNode> stored = reportsOf(pair.channelId);
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).get("reporter").asString()).isEqualTo(pair.ada.id());
            assertThat(stored.get(0).get("reported").asString()).isEqualTo(pair.bob.id());
            assertThat(stored.get(0).get("evidence").get(0).get("text").asString()).isEqualTo("something abusive");

            // Blocked: the two wait side by side and are never paired.
            pair.ada.send(Map.of("type", "match"));
            pair.ada.await("waiting");
            pair.bob.send(Map.of("type", "match"));
            pair.bob.await("waiting");
            pair.ada.socket().assertNoFrame("matched", QUIET);
            pair.ada.send(Map.of("type", "cancel"));
            pair.ada.await("cancelled");
            pair.bob.send(Map.of("type", "cancel"));
            pair.bob.await("cancelled");
        }
    }

    @Test
    void blockInsideAChannelRepliesBlockedThenEnded() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.ada.send(Map.of("type", "block"));
            pair.ada.await("blocked");
            JsonNode ended = pair.ada.await("ended");
            assertThat(ended.get("reason").asString()).isEqualTo("left");
            List<String> order = pair.ada.socket().frames().stream().map(f -> f.path("type").asString())
                    .filter(t -> t.equals("blocked") || t.equals("ended")).toList();
            assertThat(order).containsExactly("blocked", "ended");
            assertThat(pair.bob.await("ended").get("by").asString()).isEqualTo(pair.ada.id());
        }
    }

    @Test
    void refusesATokenOfAnotherGuestOrChannel() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.bob.send(Map.of("type", "leave"));
            pair.ada.await("ended");
            pair.ada.send(Map.of("type", "block", "channelId", pair.channelId, "token", pair.bobToken));
            assertThat(pair.ada.await("error").get("code").asString()).isEqualTo("invalid_token");
            pair.ada.send(Map.of("type", "report", "reason", "spam", "channelId", "another-channel", "token", pair.adaToken));
            assertThat(pair.ada.await("error").get("code").asString()).isEqualTo("invalid_token");
            assertThat(reportsOf(pair.channelId)).isEmpty();
        }
    }

    @Test
    void refusesReportsAndBlocksOnceTheWindowIsOver() {
        try (ChatServer brief = ChatServer.start(servers.cluster(), Map.of("REPORT_WINDOW_SECONDS", "1"));
                MatchedPair pair = MatchedPair.match(brief, brief)) {
            pair.bob.send(Map.of("type", "leave"));
            pair.ada.await("ended");
            Map<String, Object> report = Map.of("type", "report", "reason", "spam", "channelId", pair.channelId,
                    "token", pair.adaToken);
            // The window closes 1 s after the end: ask until it has, a bounded number of times.
            JsonNode refused = null;
            for (int attempt = 0; attempt < 30 && refused == null; attempt++) {
                pair.ada.send(report);
                JsonNode reply = pair.ada.socket().await(type("reported").or(type("error")), WsClient.WAIT);
                if ("error".equals(reply.path("type").asString())) {
                    refused = reply;
                }
                else {
                    pause(Duration.ofMillis(300));
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.get("code").asString()).isEqualTo("channel_closed");
            pair.ada.send(Map.of("type", "block", "channelId", pair.channelId, "token", pair.adaToken));
            assertThat(pair.ada.await("error").get("code").asString()).isEqualTo("channel_closed");
        }
    }

    @Test
    void statsCountGuestsOnlineAndWaitingAcrossServers() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob");
                WsClient adaElsewhere = ada.connect(servers.two())) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            JsonNode stats = awaitStats(servers.one(), 2, 1);
            assertThat(stats.get("online").asLong()).isEqualTo(2);
            assertThat(awaitStats(servers.two(), 2, 1).get("waiting").asLong()).isEqualTo(1);

            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
            bob.close();
            assertThat(awaitStats(servers.two(), 1, 0).get("online").asLong()).isEqualTo(1);
        }
    }

    @Test
    void matchesInterestsAcrossScriptsAndUnicodeForms() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            // Composed and decomposed umlauts, capitals, full-width letters and digits.
            ada.send(Map.of("type", "match", "interests", List.of("\u00dcn\u00efcode", "\uff2b\uff30\uff2f\uff30\uff12\uff14", "\u041c\u0443\u0437\u044b\u043a\u0430")));
            ada.await("waiting");
            bob.send(Map.of("type", "match", "interests", List.of("u\u0308ni\u0308CODE", "kpop24", "\u043c\u0443\u0437\u044b\u043a\u0430", "\u97f3\u697d")));
            JsonNode matched = bob.await("matched");
            assertThat(matched.get("commonInterests").values().stream().map(JsonNode::asString).toList())
                    .containsExactlyInAnyOrder("\u00fcn\u00efcode", "kpop24", "\u043c\u0443\u0437\u044b\u043a\u0430");
            ada.await("matched");
            bob.send(Map.of("type", "leave"));
            ada.await("ended");
        }
    }

    private static JsonNode awaitStats(ChatServer server, long online, long waiting) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(server.uri("/api/stats"))
                    .timeout(WsClient.WAIT).GET().build());
            assertThat(response.statusCode()).isEqualTo(200);
            last = Guests.JSON.readTree(response.body());
            if (last.get("online").asLong() == online && last.get("waiting").asLong() == waiting) {
                return last;
            }
            pause(Duration.ofMillis(500));
        }
        throw new AssertionError("stats never showed online " + online + ", waiting " + waiting + "; last " + last);
    }

    private static List<JsonNode> reportsOf(String channelId) {
        HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(servers.one().managementUri("/api/admin/reports?limit=200"))
                .timeout(WsClient.WAIT).header("Authorization", "Bearer " + ADMIN).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        return Guests.JSON.readTree(response.body()).get("reports").values().stream()
                .filter(r -> r.get("channelId").asString().equals(channelId))
                .toList();
    }

    private static Predicate<JsonNode> type(String type) {
        return frame -> type.equals(frame.path("type").asString());
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
