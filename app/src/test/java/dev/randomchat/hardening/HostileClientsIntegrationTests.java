package dev.randomchat.hardening;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.SlowReader;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits that keep one client's cost bounded (protocol 7.5), each tried as a client would: a socket
 * that does not read, a replay larger than a page, join loops, history scraping, reconnect storms
 * and a channel that outlives its log.
 */
class HostileClientsIntegrationTests {

    private static final long OUTBOUND_BYTES = 64 * 1024;
    private static final int MAX_MSGS = 400;
    private static final int JOINS_PER_MINUTE = 5;
    private static final int HISTORY_PER_MINUTE = 3;
    private static final int UPGRADES_PER_SECOND = 6;
    private static final Duration WAIT = WsClient.WAIT;

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = ChatServer.start(Map.of(
                "WS_OUTBOUND_BYTES", Long.toString(OUTBOUND_BYTES),
                // Frames are plenty: only the byte cap can be what closes a socket here.
                "WS_OUTBOUND_QUEUE", "100000",
                "MAX_MSGS", Integer.toString(MAX_MSGS),
                "MAX_TEXT_CHARS", "3000",
                "RATE_LIMIT_PER_SECOND", "100000",
                "RATE_LIMIT_BURST", "100000",
                "JOINS_PER_MINUTE", Integer.toString(JOINS_PER_MINUTE),
                "HISTORY_PER_MINUTE", Integer.toString(HISTORY_PER_MINUTE)));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void closesASocketPastItsByteCapWith1013AndNeverQueuesMoreThanTheCap() throws Exception {
        try (SlowReader slow = SlowReader.matched(server)) {
            Visitor bob = slow.bob();
            double closedBefore = slow.slowCloses();
            double[] most = {0};
            int sent = slow.talkUntilClosed(closedBefore, 3000, () -> most[0] = Math.max(most[0], queuedBytes()));
            assertThat(slow.slowCloses()).as("slow sockets closed after %d messages", sent).isGreaterThan(closedBefore);
            // Bob's own queue may hold the frame being written to him; the slow one never more than its cap.
            assertThat(most[0]).as("bytes queued on the server at most").isLessThanOrEqualTo(OUTBOUND_BYTES + 2 * 3200);
            assertThat(slow.drainUntilClose()).isIn(1013, -1);
            bob.send(text("after", "still here"));
            bob.socket().await(isMessage("after"), WAIT);
            bob.send(Map.of("type", "leave"));
        }
    }

    @Test
    void replaysInPagesWithNoGapNoDuplicateAndInOrderWhileLiveMessagesArrive() throws Exception {
        int stored = 250;
        int live = 100;
        String text = "r".repeat(1000);
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            // About 250 KB: sixteen pages and more of at most a quarter of the 64 KiB cap.
            sendAll(pair.bob, "old", stored, text);
            pair.ada = pair.ada.reconnect(server);
            CompletableFuture<Void> talking = CompletableFuture.runAsync(() -> sendAll(pair.bob, "new", live, text));
            pair.ada.send(Map.of("type", "join", "token", pair.adaToken, "after", 0));
            JsonNode joined = pair.ada.await("joined");
            talking.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            pair.ada.socket().await(f -> "message".equals(f.path("type").asString())
                    && f.path("seq").asLong() == stored + live, WAIT);

            List<JsonNode> frames = pair.ada.socket().frames();
            List<Long> seqs = frames.stream().filter(f -> "message".equals(f.path("type").asString()))
                    .map(f -> f.path("seq").asLong()).toList();
            assertThat(seqs).as("every message once, in order")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, stored + live).boxed().toList());
            long replayedBeforeJoined = frames.subList(0, frames.indexOf(joined)).stream()
                    .filter(f -> "message".equals(f.path("type").asString())).count();
            assertThat(replayedBeforeJoined).as("joined comes after the replay, which ends at its lastSeq")
                    .isEqualTo(joined.path("lastSeq").asLong()).isGreaterThanOrEqualTo(stored);
        }
    }

    @Test
    void refusesJoinsAndMatchesOverThePerGuestLimitOnEverySocket() {
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            WsClient second = pair.ada.connect(server);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 2 * JOINS_PER_MINUTE + 1; i++) {
                WsClient socket = i % 2 == 0 ? pair.ada.socket() : second;
                socket.send(Map.of("type", "join", "token", pair.adaToken));
                JsonNode answer = socket.await(f -> "joined".equals(f.path("type").asString())
                        || "error".equals(f.path("type").asString()), WAIT);
                answers.add(answer.path("type").asString() + ":" + answer.path("code").asString(""));
            }
            // Twelve joins and matches over at most two minute windows of five: two at least are refused.
            assertThat(answers).as("answers to joins").contains("joined:")
                    .filteredOn("error:rate_limited"::equals).hasSizeGreaterThanOrEqualTo(2);
            assertThat(answers).allMatch(a -> a.equals("joined:") || a.equals("error:rate_limited"));
            pair.bob.send(Map.of("type", "match"));
            assertThat(pair.bob.await("matched").path("channelId").asString()).as("another guest is not limited")
                    .isEqualTo(pair.channelId);
            second.close();
        }
    }

    @Test
    void refusesMatchesOverThePerGuestLimitAndLeavesAWaitingSocketWaiting() {
        String carolToken = Guests.create(server.baseUrl(), "Carol").get("token").asString();
        String daveToken = Guests.create(server.baseUrl(), "Dave").get("token").asString();
        try (WsClient carol = WsClient.connect(server.wsUri(), carolToken);
                WsClient dave = WsClient.connect(server.wsUri(), daveToken)) {
            // Matches again and again while waiting (each one counts): within two minute windows of
            // five, one is refused; the refusal names the frame, and the socket stays queued.
            JsonNode refused = null;
            for (int i = 0; i < 2 * JOINS_PER_MINUTE + 1 && refused == null; i++) {
                carol.send(Map.of("type", "match"));
                JsonNode answer = carol.await(f -> "waiting".equals(f.path("type").asString())
                        || "error".equals(f.path("type").asString()), WAIT);
                refused = "error".equals(answer.path("type").asString()) ? answer : null;
            }
            assertThat(refused).as("a match over the limit").isNotNull();
            assertThat(refused.path("code").asString()).isEqualTo("rate_limited");
            assertThat(refused.path("ref").asString()).isEqualTo("match");

            dave.send(Map.of("type", "match"));
            assertThat(dave.await("matched").path("peer").path("name").asString()).isEqualTo("Carol");
            assertThat(carol.await("matched").path("peer").path("name").asString()).isEqualTo("Dave");
            carol.send(Map.of("type", "leave"));
        }
    }

    @Test
    void answersHistoryOverThePerGuestLimitWith429() {
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            List<HttpResponse<String>> pages = new ArrayList<>();
            for (int i = 0; i < 2 * HISTORY_PER_MINUTE + 1; i++) {
                pages.add(history(pair.adaToken, pair.channelId));
            }
            assertThat(pages).extracting(HttpResponse::statusCode).contains(200, 429).containsOnly(200, 429);
            HttpResponse<String> refused = pages.stream().filter(page -> page.statusCode() == 429).findFirst().orElseThrow();
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(Guests.JSON.readTree(refused.body()).path("status").asInt()).isEqualTo(429);
            assertThat(history(pair.bobToken, pair.channelId).statusCode()).as("the peer reads on").isEqualTo(200);
        }
    }

    @Test
    void refusesUpgradesOverThePerAddressRateWith429AndAdmitsAgainASecondLater() {
        // A server of its own: every test client shares 127.0.0.1, and this limit is per address.
        try (ChatServer strict = ChatServer.start(Map.of("UPGRADES_PER_SECOND", Integer.toString(UPGRADES_PER_SECOND)))) {
            String token = Guests.create(strict.baseUrl(), "Eager").get("token").asString();
            Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4 * UPGRADES_PER_SECOND; i++) {
                statuses.add(WsClient.upgradeStatus(strict.wsUri(), auth));
            }
            assertThat(statuses).as("upgrade answers (-1: upgraded)").contains(429, -1).containsOnly(429, -1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> WsClient.upgradeStatus(strict.wsUri(), auth) == -1);
        }
    }

    @Test
    void keepsNoMoreCmidsThanMessagesInTheLogAndStillAnswersARetryOfOneThatIs() {
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            int total = MAX_MSGS + 40;
            sendAll(pair.ada, "c", total, "hello");
            Redis redis = server.bean(Redis.class);
            String cmids = redis.key("ch", "{" + pair.channelId + "}", "cmids");
            Long entries = redis.commands().hlen(cmids).block(WAIT);
            assertThat(entries).as("cmid entries after %d sends", total).isLessThanOrEqualTo(MAX_MSGS + 16L)
                    .isGreaterThanOrEqualTo((long) MAX_MSGS);
            String last = "c" + (total - 1);
            pair.ada.send(text(last, "hello again"));
            JsonNode ack = pair.ada.socket().await(f -> "ack".equals(f.path("type").asString())
                    && last.equals(f.path("cmid").asString()) && f.path("seq").asLong() == total, WAIT);
            assertThat(ack.path("seq").asLong()).isEqualTo(total);
            pair.ada.send(text("fresh", "a new one"));
            assertThat(pair.bob.socket().await(isMessage("fresh"), WAIT).path("seq").asLong())
                    .as("the retry stored nothing").isEqualTo(total + 1);
        }
    }

    /** Sends {@code count} messages in batches, each batch acknowledged before the next. */
    private static void sendAll(Visitor visitor, String prefix, int count, String text) {
        int batch = 25;
        for (int start = 0; start < count; start += batch) {
            int end = Math.min(count, start + batch);
            for (int i = start; i < end; i++) {
                visitor.send(text(prefix + i, text));
            }
            String lastOfBatch = prefix + (end - 1);
            visitor.socket().await(f -> "ack".equals(f.path("type").asString())
                    && lastOfBatch.equals(f.path("cmid").asString()), WAIT);
        }
    }

    private static HttpResponse<String> history(String token, String channelId) {
        return Guests.send(HttpRequest.newBuilder(server.uri("/api/channels/" + channelId + "/messages"))
                .header("Authorization", "Bearer " + token)
                .timeout(WAIT)
                .build());
    }

    private static Map<String, Object> text(String cmid, String text) {
        return Map.of("type", "send", "cmid", cmid, "text", text);
    }

    private static java.util.function.Predicate<JsonNode> isMessage(String cmid) {
        return f -> "message".equals(f.path("type").asString()) && cmid.equals(f.path("cmid").asString());
    }

    private static double queuedBytes() {
        return server.bean(MeterRegistry.class).get("chat.sockets.outbound.bytes").gauge().value();
    }
}
