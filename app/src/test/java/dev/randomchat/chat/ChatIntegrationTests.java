package dev.randomchat.chat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.TwoServers;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;

import static dev.randomchat.support.Messages.isMessage;
import static dev.randomchat.support.Messages.messages;
import static dev.randomchat.support.Messages.seqs;
import static dev.randomchat.support.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Chat between guests on two servers sharing one real Redis. */
class ChatIntegrationTests {

    private static final Duration QUIET = Duration.ofMillis(700);

    @RegisterExtension
    static final TwoServers servers = new TwoServers(Map.of("RATE_LIMIT_PER_SECOND", "1000", "RATE_LIMIT_BURST", "1000", "MAX_MSGS", "60"));

    @Test
    void deliversEveryMessageToBothSidesInOneOrderUnderConcurrentSends() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            CompletableFuture<Void> fromAda = CompletableFuture.runAsync(() -> IntStream.range(0, 25)
                    .forEach(i -> pair.ada.send(text("a" + i, "from ada " + i))));
            CompletableFuture<Void> fromBob = CompletableFuture.runAsync(() -> IntStream.range(0, 25)
                    .forEach(i -> pair.bob.send(text("b" + i, "from bob " + i))));
            CompletableFuture.allOf(fromAda, fromBob).join();
            List<JsonNode> seenByAda = messages(pair.ada.socket(), 50);
            List<JsonNode> seenByBob = messages(pair.bob.socket(), 50);
            assertThat(seqs(seenByAda)).containsExactlyElementsOf(IntStream.rangeClosed(1, 50).boxed().toList());
            assertThat(seenByAda.stream().map(m -> m.get("cmid").asString()).toList())
                    .isEqualTo(seenByBob.stream().map(m -> m.get("cmid").asString()).toList());
            for (int i = 0; i < 25; i++) {
                String cmid = "a" + i;
                JsonNode ack = pair.ada.socket().await(f -> "ack".equals(f.path("type").asString())
                        && cmid.equals(f.path("cmid").asString()), WsClient.WAIT);
                JsonNode message = seenByBob.stream().filter(m -> cmid.equals(m.get("cmid").asString())).findFirst()
                        .orElseThrow();
                assertThat(ack.get("seq").asLong()).isEqualTo(message.get("seq").asLong());
                assertThat(message.get("from").asString()).isEqualTo(pair.ada.id());
                assertThat(message.get("channelId").asString()).isEqualTo(pair.channelId);
                assertThat(message.get("sentAt").asString()).isNotBlank();
            }
        }
    }

    @Test
    void storesARetriedCmidOnceEvenAfterAReconnect() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.ada.send(text("same", "hello"));
            long seq = pair.ada.await("ack").get("seq").asLong();
            pair.ada.send(text("same", "hello again, different text"));
            assertThat(pair.ada.await("ack").get("seq").asLong()).isEqualTo(seq);
            Visitor back = pair.ada.reconnect(servers.two());
            back.send(Map.of("type", "join", "token", pair.adaToken, "after", seq));
            back.await("joined");
            back.send(text("same", "hello"));
            assertThat(back.await("ack").get("seq").asLong()).isEqualTo(seq);
            pair.bob.send(text("next", "next"));
            assertThat(pair.bob.socket().await(isMessage("next"), WsClient.WAIT).get("seq").asLong()).isEqualTo(seq + 1);
            assertThat(pair.bob.socket().frames("message").stream().filter(m -> "same".equals(m.get("cmid").asString())))
                    .hasSize(1);
            pair.ada = back;
        }
    }

    @Test
    void resumesOnTheOtherServerWithExactlyWhatWasMissed() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.ada.send(text("first", "before the cut"));
            long k = pair.ada.await("ack").get("seq").asLong();
            pair.ada.socket().await(isMessage("first"), WsClient.WAIT);
            pair.ada.close();
            for (int i = 0; i < 20; i++) {
                pair.bob.send(text("m" + i, "while away " + i));
            }
            messages(pair.bob.socket(), (int) k + 20);
            Visitor back = Visitor.arriveAs(pair.ada, servers.two());
            back.send(Map.of("type", "join", "token", pair.adaToken, "after", k));
            JsonNode joined = back.await("joined");
            List<JsonNode> replayed = back.socket().frames("message");
            assertThat(seqs(replayed)).containsExactlyElementsOf(
                    IntStream.rangeClosed((int) k + 1, (int) k + 20).boxed().toList());
            assertThat(joined.get("lastSeq").asLong()).isEqualTo(k + 20);
            assertThat(joined.get("peer").get("id").asString()).isEqualTo(pair.bob.id());
            assertThat(joined.get("peerOnline").asBoolean()).isTrue();
            pair.bob.send(text("live", "and now live"));
            assertThat(back.socket().await(isMessage("live"), WsClient.WAIT).get("seq").asLong()).isEqualTo(k + 21);
            assertThat(seqs(back.socket().frames("message"))).doesNotHaveDuplicates();
            pair.ada = back;
        }
    }

    @Test
    void relaysSeenTypingAndPresence() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            pair.ada.send(text("x", "hi"));
            long seq = pair.ada.await("ack").get("seq").asLong();
            pair.bob.socket().await(isMessage("x"), WsClient.WAIT);
            pair.bob.send(Map.of("type", "seen", "seq", seq));
            JsonNode seen = pair.ada.await("seen");
            assertThat(seen.get("by").asString()).isEqualTo(pair.bob.id());
            assertThat(seen.get("seq").asLong()).isEqualTo(seq);
            pair.bob.send(Map.of("type", "seen", "seq", seq));
            pair.bob.send(Map.of("type", "seen", "seq", seq + 5));
            JsonNode beyond = pair.bob.await("error");
            assertThat(beyond.get("code").asString()).isEqualTo("bad_request");
            assertThat(pair.ada.socket().frames("seen")).hasSize(1);

            pair.bob.send(Map.of("type", "typing", "active", true));
            JsonNode typing = pair.ada.await("typing");
            assertThat(typing.get("from").asString()).isEqualTo(pair.bob.id());
            assertThat(typing.get("active").asBoolean()).isTrue();
            assertThat(pair.bob.socket().frames("typing")).isEmpty();

            pair.bob.close();
            JsonNode offline = pair.ada.socket().await(f -> "presence".equals(f.path("type").asString())
                    && !f.path("peerOnline").asBoolean(true), WsClient.WAIT);
            assertThat(offline.get("peerOnline").asBoolean()).isFalse();
            Visitor back = Visitor.arriveAs(pair.bob, servers.one());
            back.send(Map.of("type", "join", "token", pair.bobToken, "after", seq));
            assertThat(back.await("joined").get("peerSeen").asLong()).isZero();
            pair.ada.socket().await(f -> "presence".equals(f.path("type").asString())
                    && f.path("peerOnline").asBoolean(false), WsClient.WAIT);
            pair.bob = back;
        }
    }

    @Test
    void marksAFreshPairPresentWithoutAnnouncingEitherToTheOther() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.one())) {
            // One server told both in one step: each is present, and neither is sent a presence
            // frame about a peer it was matched with a moment ago.
            WsClient adaSecond = pair.ada.connect(servers.two());
            adaSecond.send(Map.of("type", "join", "token", pair.adaToken));
            JsonNode joined = adaSecond.await(f -> "joined".equals(f.path("type").asString()), WsClient.WAIT);
            assertThat(joined.get("peerOnline").asBoolean()).isTrue();
            pair.ada.send(text("x", "hi"));
            pair.ada.socket().await(isMessage("x"), WsClient.WAIT);
            pair.bob.socket().await(isMessage("x"), WsClient.WAIT);
            adaSecond.await(isMessage("x"), WsClient.WAIT);
            assertThat(pair.ada.socket().frames("presence")).isEmpty();
            assertThat(pair.bob.socket().frames("presence")).isEmpty();
            adaSecond.close();
        }
    }

    @Test
    void leaveEndsTheChannelForBothAndLaterJoinsAreRefused() {
        MatchedPair pair = MatchedPair.match(servers.one(), servers.two());
        try {
            WsClient adaSecond = pair.ada.connect(servers.two());
            adaSecond.send(Map.of("type", "join", "token", pair.adaToken));
            adaSecond.await("joined");
            pair.bob.send(Map.of("type", "leave"));
            for (WsClient socket : List.of(pair.ada.socket(), adaSecond, pair.bob.socket())) {
                JsonNode ended = socket.await("ended");
                assertThat(ended.get("channelId").asString()).isEqualTo(pair.channelId);
                assertThat(ended.get("by").asString()).isEqualTo(pair.bob.id());
                assertThat(ended.get("reason").asString()).isEqualTo("left");
            }
            adaSecond.send(Map.of("type", "join", "token", pair.adaToken));
            assertThat(adaSecond.await("error").get("code").asString()).isEqualTo("channel_closed");
            pair.ada.send(text("late", "anyone?"));
            assertThat(pair.ada.await("error").get("code").asString()).isEqualTo("not_in_channel");
            pair.bob.send(Map.of("type", "leave"));
            assertThat(pair.bob.await("error").get("code").asString()).isEqualTo("not_in_channel");
            Redis redis = servers.one().bean(Redis.class);
            Long ttl = redis.commands().pttl(ChannelKeys.of(redis, pair.channelId).meta()).block(WsClient.WAIT);
            assertThat(ttl).isPositive().isLessThanOrEqualTo(servers.one().bean(ChannelService.class).closedRetention().toMillis());
            adaSecond.close();
        }
        finally {
            pair.ada.close();
            pair.bob.close();
        }
    }

    @Test
    void refusesAChannelTokenOfAnotherGuestOrForAnotherChannel() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two()); Visitor eve = Visitor.arrive(servers.one(), "Eve")) {
            eve.send(Map.of("type", "join", "token", pair.adaToken));
            JsonNode error = eve.await("error");
            assertThat(error.get("code").asString()).isEqualTo("invalid_token");
            eve.send(Map.of("type", "join", "token", "not-a-token"));
            assertThat(eve.await("error").get("code").asString()).isEqualTo("invalid_token");
            HttpResponse<String> foreign = history(pair.bobToken, "someOtherChannel", "");
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(history(null, pair.channelId, "").statusCode()).isEqualTo(401);
            assertThat(history("garbage", pair.channelId, "").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void servesHistoryPagesOverHttp() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            for (int i = 0; i < 5; i++) {
                pair.ada.send(text("h" + i, "history " + i));
            }
            messages(pair.bob.socket(), 5);
            pair.bob.send(Map.of("type", "seen", "seq", 3));
            pair.ada.await("seen");
            HttpResponse<String> page = history(pair.adaToken, pair.channelId, "?after=1&limit=2");
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = Guests.JSON.readTree(page.body());
            assertThat(body.get("channelId").asString()).isEqualTo(pair.channelId);
            assertThat(seqs(body.get("messages").values().stream().toList())).containsExactly(2, 3);
            assertThat(body.get("lastSeq").asLong()).isEqualTo(5);
            assertThat(body.get("peerSeen").asLong()).isEqualTo(3);
            assertThat(history(pair.adaToken, pair.channelId, "?limit=0").statusCode()).isEqualTo(400);
            assertThat(history(pair.adaToken, pair.channelId, "?limit=101").statusCode()).isEqualTo(400);
            assertThat(history(pair.adaToken, pair.channelId, "?after=-1").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void keepsTheLastMaxMsgsAndRefreshesTheChannelExpiry() {
        try (MatchedPair pair = MatchedPair.match(servers.one(), servers.two())) {
            for (int i = 0; i < 70; i++) {
                pair.ada.send(text("t" + i, "trim " + i));
            }
            messages(pair.bob.socket(), 70);
            Redis redis = servers.one().bean(Redis.class);
            ChannelKeys keys = ChannelKeys.of(redis, pair.channelId);
            assertThat(redis.commands().llen(keys.log()).block(WsClient.WAIT)).isEqualTo(60);
            long day = Duration.ofHours(24).toMillis();
            for (String key : List.of(keys.meta(), keys.log(), keys.cmids())) {
                assertThat(redis.commands().pttl(key).block(WsClient.WAIT)).as(key).isBetween(day - 60_000, day);
            }
            Visitor back = pair.ada.reconnect(servers.two());
            back.send(Map.of("type", "join", "token", pair.adaToken, "after", 0));
            JsonNode joined = back.await("joined");
            assertThat(joined.get("firstSeq").asLong()).isEqualTo(11);
            assertThat(seqs(back.socket().frames("message"))).first().isEqualTo(11);
            pair.ada = back;
        }
    }

    private static HttpResponse<String> history(String token, String channelId, String query) {
        HttpRequest.Builder request = HttpRequest.newBuilder(servers.one().uri("/api/channels/" + channelId + "/messages" + query))
                .timeout(WsClient.WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Guests.send(request.build());
    }
}
