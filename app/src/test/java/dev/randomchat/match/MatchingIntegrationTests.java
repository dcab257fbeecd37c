package dev.randomchat.match;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.TwoServers;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;

/** Matching across two servers sharing one real Redis. */
class MatchingIntegrationTests {

    private static final Duration QUIET = Duration.ofMillis(700);
    private static final Duration COLD_START = Duration.ofSeconds(60);

    @RegisterExtension
    static final TwoServers servers = new TwoServers(Map.of("INTEREST_WAIT_SECONDS", "1"));

    @Test
    void pairsGuestsOnDifferentServers() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            ada.send(Map.of("type", "match"));
            assertThat(ada.await("waiting").get("since").asString()).isNotBlank();
            bob.send(Map.of("type", "match"));
            JsonNode adaMatched = ada.await("matched");
            JsonNode bobMatched = bob.await("matched");
            assertThat(adaMatched.get("channelId").asString()).isEqualTo(bobMatched.get("channelId").asString());
            assertThat(adaMatched.get("peer").get("id").asString()).isEqualTo(bob.id());
            assertThat(adaMatched.get("peer").get("name").asString()).isEqualTo("Bob");
            assertThat(bobMatched.get("peer").get("id").asString()).isEqualTo(ada.id());
            assertThat(adaMatched.get("token").asString()).isNotEqualTo(bobMatched.get("token").asString());
            assertThat(adaMatched.get("commonInterests").isArray()).isTrue();
            leave(ada);
        }
    }

    @Test
    void retriedMatchInAnOpenChannelReturnsThatChannel() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            String channel = ada.await("matched").get("channelId").asString();
            bob.await("matched");
            Visitor again = ada.reconnect(servers.two());
            again.send(Map.of("type", "match"));
            JsonNode matched = again.await("matched");
            assertThat(matched.get("channelId").asString()).isEqualTo(channel);
            assertThat(matched.get("peer").get("id").asString()).isEqualTo(bob.id());
            leave(again);
        }
    }

    @Test
    void cancelLeavesTheQueue() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
            try (Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
                bob.send(Map.of("type", "match"));
                bob.await("waiting");
                ada.socket().assertNoFrame("matched", QUIET);
                bob.send(Map.of("type", "cancel"));
                bob.await("cancelled");
            }
        }
    }

    /**
     * The page sends {@code cancel} and closes its socket at once. The close used to cancel the
     * frame being served, and Lettuce never sends a command cancelled before it is written: the
     * guest stayed queued, and the next visitor was paired with a ghost. A race, so tried often.
     */
    @Test
    void aCancelFollowedAtOnceByTheCloseStillLeavesTheQueue() {
        for (int attempt = 0; attempt < 30; attempt++) {
            Visitor kay = Visitor.arrive(servers.one(), "Kay" + attempt);
            kay.send(Map.of("type", "match"));
            kay.await("waiting");
            kay.send(Map.of("type", "cancel"));
            kay.close();
            try (Visitor lee = Visitor.arrive(servers.two(), "Lee")) {
                lee.send(Map.of("type", "match"));
                JsonNode answer = lee.socket().await(frame -> frame.path("type").asString().matches("waiting|matched"),
                        WsClient.WAIT);
                assertThat(answer.path("peer").path("name").asString())
                        .as("attempt %d: paired with the guest who cancelled", attempt).isEmpty();
                lee.send(Map.of("type", "cancel"));
                lee.await("cancelled");
            }
        }
    }

    @Test
    void cancelWhenNotWaitingStillAnswersCancelled() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada")) {
            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
        }
    }

    @Test
    void rematchesNoOneWhoseSocketsClosed() {
        Visitor ghost = Visitor.arrive(servers.one(), "Ghost");
        ghost.send(Map.of("type", "match"));
        ghost.await("waiting");
        ghost.close();
        try (Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            // The close is cleaned up asynchronously; a second visitor must still never get the ghost.
            bob.send(Map.of("type", "match"));
            bob.await("waiting");
            bob.socket().assertNoFrame("matched", QUIET);
            bob.send(Map.of("type", "cancel"));
            bob.await("cancelled");
        }
    }

    @Test
    void neverMatchesAWaiterWhoseServerDiedAbruptly() {
        try (ServerProcess doomed = ServerProcess.start(servers.cluster(), Map.of())) {
            JsonNode ghost = Guests.create(doomed.baseUrl(), "Ghost");
            WsClient socket = WsClient.connect(doomed.wsUri(), ghost.get("token").asString());
            socket.send(Map.of("type", "match"));
            // A cold JVM of its own on a busy machine: its first answer may take a while.
            try {
                socket.await(frame -> "waiting".equals(frame.path("type").asString()), COLD_START);
            }
            catch (AssertionError ex) {
                throw new AssertionError(ex.getMessage() + "\nserver output:\n" + doomed.output(), ex);
            }
            doomed.kill();
            socket.close();
            // No cleanup code ran on the dead server: only the lapse of its lease removes the ghost.
            awaitLeaseLapse(ghost.get("id").asString());
            try (Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
                bob.send(Map.of("type", "match"));
                bob.await("waiting");
                bob.socket().assertNoFrame("matched", QUIET);
                bob.send(Map.of("type", "cancel"));
                bob.await("cancelled");
            }
        }
    }

    /** Waits, on Redis's clock, until none of the guest's queue leases is live any more. */
    private static void awaitLeaseLapse(String guestId) {
        var redis = servers.one().bean(dev.randomchat.system.Redis.class);
        var keys = QueueKeys.of(redis);
        Awaitility.await().atMost(MatchService.LEASE.plusSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String waiter = redis.commands().hget(keys.waiters(), guestId).block(WsClient.WAIT);
            if (waiter == null) {
                return true;
            }
            long expiry = Guests.JSON.readTree(waiter).get("l").values().stream()
                    .mapToLong(JsonNode::asLong).max().orElse(0);
            List<String> time = redis.commands().time().collectList().block(WsClient.WAIT);
            return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000 > expiry;
        });
    }

    /**
     * A channel's end reaches its guests before their pair is freed: a {@code match} sent at once
     * on {@code ended} can find the pair still recorded. It frees it and answers {@code waiting} on
     * that socket (it used to answer nothing, the re-run's answer going to no socket).
     */
    @Test
    void aMatchThatFindsTheEndedChannelStillRecordedAnswersWaiting() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            Visitor.pair(ada, bob);
            Redis redis = servers.one().bean(Redis.class);
            String current = redis.key(QueueKeys.SLOT, "current");
            String pairing = redis.commands().hget(current, ada.id()).block(WsClient.WAIT);
            assertThat(pairing).contains(bob.id());
            leave(bob);
            ada.await("ended");
            Awaitility.await().atMost(WsClient.WAIT)
                    .until(() -> redis.commands().hget(current, ada.id()).blockOptional(WsClient.WAIT).isEmpty());
            // The moment between the end and the unpairing, held open.
            redis.commands().hset(current, ada.id(), pairing).block(WsClient.WAIT);

            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            assertThat(redis.commands().hget(current, ada.id()).blockOptional(WsClient.WAIT)).isEmpty();
            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
        }
    }

    @Test
    void neverRepairsAPairThatJustLeft() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            Visitor.pair(ada, bob);
            leave(ada);
            bob.await("ended");
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("waiting");
            ada.socket().assertNoFrame("matched", QUIET);
            try (Visitor cat = Visitor.arrive(servers.two(), "Cat")) {
                cat.send(Map.of("type", "match"));
                String peer = cat.await("matched").get("peer").get("id").asString();
                assertThat(peer).isIn(ada.id(), bob.id());
                Visitor leftOver = peer.equals(ada.id()) ? bob : ada;
                leftOver.send(Map.of("type", "cancel"));
                leftOver.await("cancelled");
                leave(cat);
            }
        }
    }

    @Test
    void pairsGuestsSharingAnInterestAheadOfEarlierGuests() {
        try (Visitor early = Visitor.arrive(servers.one(), "Early"); Visitor ada = Visitor.arrive(servers.one(), "Ada");
                Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            early.send(Map.of("type", "match", "interests", List.of("chess")));
            early.await("waiting");
            ada.send(Map.of("type", "match", "interests", List.of("Jazz ", "films")));
            ada.await("waiting");
            bob.send(Map.of("type", "match", "interests", List.of("jazz")));
            JsonNode matched = bob.await("matched");
            assertThat(matched.get("peer").get("id").asString()).isEqualTo(ada.id());
            assertThat(matched.get("commonInterests").get(0).asString()).isEqualTo("jazz");
            assertThat(ada.await("matched").get("commonInterests").size()).isEqualTo(1);
            leave(ada);
            // Early's interest wait (1 s here) runs out; then anyone open may take it.
            try (Visitor cat = Visitor.arrive(servers.two(), "Cat")) {
                cat.send(Map.of("type", "match"));
                JsonNode late = cat.await("matched");
                assertThat(late.get("peer").get("id").asString()).isEqualTo(early.id());
                assertThat(late.get("commonInterests").size()).isZero();
                leave(cat);
            }
        }
    }

    @RepeatedTest(3)
    void pairsEveryoneExactlyOnceUnderConcurrentMatches() throws Exception {
        int guests = 200;
        List<Visitor> visitors = new ArrayList<>();
        List<WsClient> extraSockets = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Visitor>> arriving = new ArrayList<>();
            for (int i = 0; i < guests; i++) {
                ChatServer server = i % 2 == 0 ? servers.one() : servers.two();
                int n = i;
                arriving.add(pool.submit(() -> Visitor.arrive(server, "G" + n)));
            }
            for (Future<Visitor> visitor : arriving) {
                visitors.add(visitor.get(30, TimeUnit.SECONDS));
            }
            Map<String, List<WsClient>> socketsByGuest = new HashMap<>();
            for (int i = 0; i < visitors.size(); i++) {
                Visitor visitor = visitors.get(i);
                List<WsClient> sockets = new ArrayList<>(List.of(visitor.socket()));
                if (i % 5 == 0) {
                    WsClient extra = visitor.connect(i % 2 == 0 ? servers.two() : servers.one());
                    extraSockets.add(extra);
                    sockets.add(extra);
                }
                socketsByGuest.put(visitor.id(), sockets);
            }
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < visitors.size(); i++) {
                List<WsClient> sockets = socketsByGuest.get(visitors.get(i).id());
                int times = 1 + i % 3;
                sends.add(pool.submit(() -> {
                    for (int t = 0; t < times; t++) {
                        sockets.get(t % sockets.size()).send("{\"type\":\"match\"}");
                    }
                }));
            }
            for (Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
            Map<String, String> channelOf = new ConcurrentHashMap<>();
            Map<String, String> peerOf = new ConcurrentHashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int unmatched;
            do {
                unmatched = 0;
                for (Visitor visitor : visitors) {
                    List<JsonNode> matched = visitor.socket().frames("matched");
                    if (matched.isEmpty()) {
                        unmatched++;
                        continue;
                    }
                    assertThat(matched.stream().map(m -> m.get("channelId").asString()).distinct())
                            .as("one channel for %s", visitor.name()).hasSize(1);
                    channelOf.put(visitor.id(), matched.get(0).get("channelId").asString());
                    peerOf.put(visitor.id(), matched.get(0).get("peer").get("id").asString());
                }
                // Both sides of each pair are told independently: wait until both have heard.
                if (unmatched <= 1 && peerOf.values().stream().allMatch(peerOf::containsKey)) {
                    break;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            assertThat(unmatched).as("guests left waiting").isLessThanOrEqualTo(1);
            peerOf.forEach((guest, peer) -> {
                assertThat(peer).isNotEqualTo(guest);
                assertThat(peerOf.get(peer)).as("peer of the peer").isEqualTo(guest);
                assertThat(channelOf.get(peer)).isEqualTo(channelOf.get(guest));
            });
            assertThat(channelOf.values().stream().distinct().count()).isEqualTo(peerOf.size() / 2);
        }
        finally {
            for (Visitor visitor : visitors) {
                if (visitor.socket().frames("matched").isEmpty()) {
                    visitor.send(Map.of("type", "cancel"));
                    visitor.await("cancelled");
                }
                else {
                    visitor.send(Map.of("type", "leave"));
                    visitor.socket().await(f -> "ended".equals(f.path("type").asString())
                            || "error".equals(f.path("type").asString()), WsClient.WAIT);
                }
            }
            extraSockets.forEach(WsClient::close);
            visitors.forEach(Visitor::close);
            pool.shutdownNow();
        }
    }

    private static void leave(Visitor visitor) {
        visitor.send(Map.of("type", "leave"));
        visitor.await("ended");
    }

    /** Asserts no frame of this type arrives within a short quiet period. */}
