package dev.randomchat.safety;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.Moderation;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the operator console calls: reports with evidence, actions, bans and live counters, on two servers. */
class ModerationApiIntegrationTests {

    private static final Duration LIVE_WAIT = Duration.ofSeconds(30);

    private static ChatServer one;
    private static ChatServer two;
    private static Moderation admin;

    /** Both servers store files in one folder, as servers sharing an object store would. */
    @TempDir
    static Path uploads;

    @BeforeAll
    static void startServers() {
        String cluster = ChatServer.newCluster();
        Map<String, String> env = Map.of("ADMIN_TOKEN", Moderation.ADMIN_TOKEN, "UPLOAD_DIR", uploads.toString());
        one = ChatServer.start(cluster, env);
        two = ChatServer.start(cluster, env);
        admin = new Moderation(one, Moderation.ADMIN_TOKEN);
    }

    @AfterAll
    static void stopServers() {
        two.close();
        one.close();
    }

    @Test
    void reportShowsBothGuestsAndTheConversationWithImagesServedFromTheAdminPath() {
        try (Moderation.Reported reported = Moderation.report(one, two, "abuse", "you are awful")) {
            JsonNode report = reportOf(reported.reporter().id(), "open");
            assertThat(report.get("status").asString()).isEqualTo("open");
            JsonNode guests = report.get("guests");
            assertThat(guests.get("reported").get("id").asString()).isEqualTo(reported.reported().id());
            assertThat(guests.get("reported").get("name").asString()).isEqualTo("Bob");
            assertThat(guests.get("reported").get("address").asString()).isEqualTo("127.0.0.1");
            assertThat(guests.get("reporter").get("name").asString()).isEqualTo("Ada");

            List<JsonNode> evidence = report.get("evidence").values().stream().toList();
            assertThat(evidence).hasSize(2);
            assertThat(evidence.get(0).get("from").asString()).isEqualTo(reported.reported().id());
            assertThat(evidence.get(0).get("text").asString()).isEqualTo("you are awful");
            assertThat(evidence.get(0).get("sentAt").asString()).isNotBlank();
            String url = evidence.get(1).get("file").get("url").asString();
            assertThat(url).startsWith("/api/admin/files/" + reported.channelId() + "/" + reported.fileId() + "?");

            // The channel ended with the report, yet its files stay as evidence; no token is needed
            // for an <img src>, the signature is the check.
            HttpResponse<byte[]> image = Guests.HTTP.sendAsync(HttpRequest.newBuilder(one.managementUri(url)).timeout(WsClient.WAIT).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).join();
            assertThat(image.statusCode()).isEqualTo(200);
            assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(image.body()).isEqualTo(Moderation.png());
            assertThat(Guests.send(HttpRequest.newBuilder(one.managementUri(url.replaceAll("sig=[^&]+", "sig=forged")))
                    .timeout(WsClient.WAIT).build()).statusCode()).isEqualTo(403);

            JsonNode detail = admin.json(admin.get("/api/admin/reports/" + report.get("id").asString()));
            assertThat(detail.get("reason").asString()).isEqualTo("abuse");
            assertThat(admin.get("/api/admin/reports/nosuchreport").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void reportsFilterByReasonTimeAndGuestAndPageNewestFirst() {
        Instant before = Instant.now().minusSeconds(1);
        try (Moderation.Reported first = Moderation.report(one, two, "spam", "cheap watches");
                Moderation.Reported second = Moderation.report(two, one, "other", "odd")) {
            String guest = "&guest=" + first.reported().id();
            assertThat(ids(admin.json(admin.get("/api/admin/reports?reason=spam&from=" + before + guest))))
                    .hasSize(1);
            assertThat(ids(admin.json(admin.get("/api/admin/reports?reason=other" + guest)))).isEmpty();
            assertThat(ids(admin.json(admin.get("/api/admin/reports?to=" + before + guest)))).isEmpty();

            JsonNode newest = admin.json(admin.get("/api/admin/reports?limit=1&from=" + before));
            assertThat(newest.get("reports").get(0).get("reporter").asString()).isEqualTo(second.reporter().id());
            String cursor = newest.get("next").asString();
            JsonNode older = admin.json(admin.get("/api/admin/reports?limit=1&from=" + before + "&cursor=" + cursor));
            assertThat(older.get("reports").get(0).get("reporter").asString()).isEqualTo(first.reporter().id());

            assertThat(admin.get("/api/admin/reports?reason=rude").statusCode()).isEqualTo(400);
            assertThat(admin.get("/api/admin/reports?from=yesterday").statusCode()).isEqualTo(400);
            assertThat(admin.get("/api/admin/reports?cursor=x").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void banningTheReportedGuestClosesItsSocketsRecordsTheActionAndCanBeLifted() {
        try (Moderation.Reported reported = Moderation.report(one, two, "sexual", "look at this")) {
            String id = reportOf(reported.reporter().id(), "open").get("id").asString();
            JsonNode acted = admin.json(admin.post("/api/admin/reports/" + id + "/actions",
                    "{\"action\":\"ban-guest\",\"hours\":2}"));
            assertThat(acted.get("status").asString()).isEqualTo("actioned");
            assertThat(acted.get("action").get("actor").asString()).isEqualTo("admin");
            assertThat(acted.get("action").get("kind").asString()).isEqualTo("ban-guest");
            assertThat(Instant.parse(acted.get("action").get("until").asString()))
                    .isBetween(Instant.now().plusSeconds(7000), Instant.now().plusSeconds(7300));

            assertThat(reported.reported().socket().awaitClose(WsClient.WAIT)).isEqualTo(4003);
            URI ws = two.wsUri();
            Map<String, String> auth = Map.of("Authorization", "Bearer " + reported.reported().token());
            assertThat(WsClient.upgradeStatus(ws, auth)).isEqualTo(403);

            assertThat(ids(admin.json(admin.get("/api/admin/reports?guest=" + reported.reporter().id())))).isEmpty();
            assertThat(ids(admin.json(admin.get("/api/admin/reports?status=all&guest=" + reported.reporter().id()))))
                    .containsExactly(id);
            assertThat(admin.post("/api/admin/reports/" + id + "/actions", "{\"action\":\"dismiss\"}").statusCode())
                    .isEqualTo(409);

            JsonNode ban = banOf(reported.reported().id());
            assertThat(ban.get("kind").asString()).isEqualTo("guest");
            assertThat(ban.get("reportId").asString()).isEqualTo(id);
            assertThat(ban.get("actor").asString()).isEqualTo("admin");

            assertThat(admin.delete("/api/admin/bans?guestId=" + reported.reported().id()).statusCode()).isEqualTo(204);
            assertThat(WsClient.upgradeStatus(ws, auth)).isEqualTo(-1);
            assertThat(banOf(reported.reported().id())).isNull();
            assertThat(admin.delete("/api/admin/bans?guestId=" + reported.reported().id()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void dismissingLeavesTheOpenListAndBanningAnAddressStopsGuestCreationUntilLifted() {
        try (ChatServer alone = ChatServer.start(Map.of("ADMIN_TOKEN", Moderation.ADMIN_TOKEN))) {
            Moderation own = new Moderation(alone, Moderation.ADMIN_TOKEN);
            try (Moderation.Reported dismissed = Moderation.report(alone, alone, "other", "hello");
                    Moderation.Reported banned = Moderation.report(alone, alone, "spam", "buy now")) {
                List<String> open = ids(own.json(own.get("/api/admin/reports")));
                assertThat(open).hasSize(2);
                JsonNode done = own.json(own.post("/api/admin/reports/" + open.get(1) + "/actions", "{\"action\":\"dismiss\"}"));
                assertThat(done.get("status").asString()).isEqualTo("dismissed");
                assertThat(ids(own.json(own.get("/api/admin/reports")))).containsExactly(open.get(0));

                own.json(own.post("/api/admin/reports/" + open.get(0) + "/actions", "{\"action\":\"ban-address\",\"hours\":1}"));
                assertThat(Guests.post(alone.uri("/api/guests"), "{\"name\":\"Mallory\"}").statusCode()).isEqualTo(403);
                JsonNode bans = own.json(own.get("/api/admin/bans")).get("bans");
                assertThat(bans.get(0).get("kind").asString()).isEqualTo("address");
                assertThat(bans.get(0).get("target").asString()).isEqualTo("127.0.0.1");

                assertThat(own.delete("/api/admin/bans?ip=127.0.0.1").statusCode()).isEqualTo(204);
                assertThat(Guests.post(alone.uri("/api/guests"), "{\"name\":\"Mallory\"}").statusCode()).isEqualTo(201);
            }
        }
    }

    @Test
    void liveCountersAcrossServersMoveWhenAPairIsMade() {
        long pairsBefore = hourTotal("pairs");
        long messagesBefore = hourTotal("messages");
        try (MatchedPair pair = MatchedPair.match(one, two)) {
            pair.ada.send(Map.of("type", "send", "cmid", "hi", "text", "hi"));
            pair.ada.await("ack");
            await().atMost(LIVE_WAIT).untilAsserted(() -> {
                assertThat(hourTotal("pairs")).isGreaterThan(pairsBefore);
                assertThat(hourTotal("messages")).isGreaterThan(messagesBefore);
                JsonNode now = admin.json(admin.get("/api/admin/live"));
                assertThat(now.get("servers").asInt()).isEqualTo(2);
                assertThat(now.get("pairsPerMinute").asLong()).isGreaterThanOrEqualTo(1);
                assertThat(now.get("socketsOpen").asLong()).isGreaterThanOrEqualTo(2);
                // Awaited too: just after a minute begins, its bucket may hold one server's flush only.
                JsonNode points = admin.json(admin.get("/api/admin/live/series")).get("points");
                assertThat(points.size()).isEqualTo(60);
                assertThat(points.get(59).get("sockets").asLong()).isGreaterThanOrEqualTo(2);
            });
        }
    }

    private static long hourTotal(String field) {
        return admin.json(admin.get("/api/admin/live/series")).get("points").values().stream()
                .mapToLong(point -> point.get(field).asLong())
                .sum();
    }

    @Test
    void anIpv6BanIsListedByItsSlash64AndLiftedByAnyAddressInIt() {
        HttpResponse<String> ban = admin.post("/api/admin/bans", "{\"ip\":\"2001:db8:1:2::5\",\"hours\":3}");
        assertThat(ban.statusCode()).as(ban.body()).isEqualTo(201);
        String prefix = admin.json(ban).get("ip").asString();
        assertThat(prefix).endsWith("/64").startsWith("2001:db8:1:2:");
        assertThat(banOf(prefix)).isNotNull();
        assertThat(banOf(prefix).get("kind").asString()).isEqualTo("address");

        assertThat(admin.delete("/api/admin/bans?ip=2001:db8:1:2:ffff::9").statusCode()).isEqualTo(204);
        assertThat(banOf(prefix)).isNull();
        assertThat(admin.delete("/api/admin/bans?ip=not-an-address").statusCode()).isEqualTo(400);
    }

    @Test
    void everyNewRouteNeedsTheToken() {
        Moderation stranger = new Moderation(one, "x".repeat(40));
        assertThat(stranger.get("/api/admin/live").statusCode()).isEqualTo(401);
        assertThat(stranger.get("/api/admin/live/series").statusCode()).isEqualTo(401);
        assertThat(stranger.get("/api/admin/bans").statusCode()).isEqualTo(401);
        assertThat(stranger.delete("/api/admin/bans?guestId=abc").statusCode()).isEqualTo(401);
        assertThat(stranger.get("/api/admin/reports/abc").statusCode()).isEqualTo(401);
        assertThat(stranger.post("/api/admin/reports/abc/actions", "{\"action\":\"dismiss\"}").statusCode()).isEqualTo(401);
    }

    private static JsonNode reportOf(String reporter, String status) {
        JsonNode list = admin.json(admin.get("/api/admin/reports?status=" + status + "&guest=" + reporter));
        return list.get("reports").values().stream()
                .filter(r -> r.get("reporter").asString().equals(reporter))
                .findFirst().orElseThrow(() -> new AssertionError("no report by " + reporter + ": " + list));
    }

    private static JsonNode banOf(String guestId) {
        return admin.json(admin.get("/api/admin/bans")).get("bans").values().stream()
                .filter(ban -> ban.get("target").asString().equals(guestId))
                .findFirst().orElse(null);
    }

    private static List<String> ids(JsonNode page) {
        return page.get("reports").values().stream().map(r -> r.get("id").asString()).toList();
    }
}
