package dev.randomchat.safety;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Reports, blocks, bans and the operators' API, on two servers. */
class SafetyIntegrationTests {

    private static final String ADMIN = "admin-token-for-tests-0123456789";
    private static final Duration QUIET = Duration.ofMillis(700);

    private static ChatServer one;
    private static ChatServer two;

    @BeforeAll
    static void startServers() {
        String cluster = ChatServer.newCluster();
        one = ChatServer.start(cluster, Map.of("ADMIN_TOKEN", ADMIN));
        two = ChatServer.start(cluster, Map.of("ADMIN_TOKEN", ADMIN));
    }

    @AfterAll
    static void stopServers() {
        two.close();
        one.close();
    }

    @Test
    void reportKeepsTheEvidenceEndsTheChannelAndBlocksThePair() {
        try (Visitor ada = Visitor.arrive(one, "Ada"); Visitor bob = Visitor.arrive(two, "Bob")) {
            pair(ada, bob);
            bob.send(Map.of("type", "send", "cmid", "spam1", "text", "buy cheap stuff"));
            bob.await("ack");
            ada.socket().await(f -> "message".equals(f.path("type").asString()), WsClient.WAIT);
            ada.send(Map.of("type", "report", "reason", "spam", "note", "selling things"));
            ada.await("reported");
            assertThat(ada.await("ended").get("reason").asString()).isEqualTo("left");
            JsonNode ended = bob.await("ended");
            assertThat(ended.get("reason").asString()).isEqualTo("left");
            assertThat(ended.get("by").asString()).isEqualTo(ada.id());

            JsonNode reports = Guests.JSON.readTree(admin("GET", "/api/admin/reports?limit=10", null, ADMIN).body());
            JsonNode report = reports.get("reports").values().stream()
                    .filter(r -> r.get("reporter").asString().equals(ada.id())).findFirst().orElseThrow();
            assertThat(report.get("reported").asString()).isEqualTo(bob.id());
            assertThat(report.get("reason").asString()).isEqualTo("spam");
            assertThat(report.get("note").asString()).isEqualTo("selling things");
            assertThat(report.get("evidence").get(0).get("text").asString()).isEqualTo("buy cheap stuff");

            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("waiting");
            assertNoFrame(ada.socket(), "matched");
            try (Visitor cat = Visitor.arrive(two, "Cat")) {
                cat.send(Map.of("type", "match"));
                String peer = cat.await("matched").get("peer").get("id").asString();
                Visitor leftOver = peer.equals(ada.id()) ? bob : ada;
                leftOver.send(Map.of("type", "cancel"));
                leftOver.await("cancelled");
                cat.send(Map.of("type", "leave"));
            }
        }
    }

    @Test
    void leaveWithBlockKeepsThePairApartButNotFromOthers() {
        try (Visitor ada = Visitor.arrive(one, "Ada"); Visitor bob = Visitor.arrive(two, "Bob")) {
            pair(ada, bob);
            ada.send(Map.of("type", "leave", "block", true));
            ada.await("ended");
            bob.await("ended");
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("waiting");
            assertNoFrame(bob.socket(), "matched");
            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
            bob.send(Map.of("type", "cancel"));
            bob.await("cancelled");
        }
    }

    @Test
    void reportOutsideAChannelIsRefused() {
        try (Visitor ada = Visitor.arrive(one, "Ada")) {
            ada.send(Map.of("type", "report", "reason", "abuse"));
            assertThat(ada.await("error").get("code").asString()).isEqualTo("not_in_channel");
            ada.socket().sendMalformed(Map.of("type", "report", "reason", "because"));
            assertThat(ada.await("error").get("code").asString()).isEqualTo("bad_request");
        }
    }

    @Test
    void banClosesTheGuestsSocketsOnEveryServerAndRefusesNewOnes() {
        try (Visitor eve = Visitor.arrive(two, "Eve")) {
            HttpResponse<String> ban = admin("POST", "/api/admin/bans",
                    "{\"guestId\":\"" + eve.id() + "\",\"hours\":1}", ADMIN);
            assertThat(ban.statusCode()).isEqualTo(201);
            JsonNode reply = Guests.JSON.readTree(ban.body());
            assertThat(reply.get("guestId").asString()).isEqualTo(eve.id());
            assertThat(reply.get("until").asString()).isNotBlank();
            assertThat(eve.socket().awaitClose(WsClient.WAIT)).isEqualTo(4003);
            assertThat(WsClient.upgradeStatus(one.wsUri(), Map.of("Authorization", "Bearer " + eve.token())))
                    .isEqualTo(403);
        }
    }

    @Test
    void adminApiNeedsTheAdminToken() {
        assertThat(admin("GET", "/api/admin/reports", null, null).statusCode()).isEqualTo(401);
        assertThat(admin("GET", "/api/admin/reports", null, ADMIN + "x").statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/api/admin/bans", "{\"hours\":1}", ADMIN).statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/api/admin/bans", "{\"ip\":\"not-an-ip\",\"hours\":1}", ADMIN).statusCode())
                .isEqualTo(400);
    }

    @Test
    void thereIsNoAdminApiWithoutAnAdminToken() {
        try (ChatServer plain = ChatServer.start(Map.of())) {
            HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(plain.uri("/api/admin/reports"))
                    .header("Authorization", "Bearer anything").timeout(WsClient.WAIT).build());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void bannedAddressCannotCreateGuests() {
        try (ChatServer isolated = ChatServer.start(Map.of("ADMIN_TOKEN", ADMIN))) {
            HttpResponse<String> ban = Guests.send(HttpRequest.newBuilder(isolated.uri("/api/admin/bans"))
                    .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ip\":\"127.0.0.1\",\"hours\":1}"))
                    .timeout(WsClient.WAIT).build());
            assertThat(ban.statusCode()).isEqualTo(201);
            assertThat(Guests.JSON.readTree(ban.body()).get("ip").asString()).isEqualTo("127.0.0.1");
            HttpResponse<String> refused = Guests.post(isolated.uri("/api/guests"), "{\"name\":\"Mallory\"}");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        }
    }

    private static void pair(Visitor ada, Visitor bob) {
        ada.send(Map.of("type", "match"));
        ada.await("waiting");
        bob.send(Map.of("type", "match"));
        ada.await("matched");
        bob.await("matched");
    }

    private static HttpResponse<String> admin(String method, String path, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(one.uri(path)).timeout(WsClient.WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Guests.send(request.build());
    }

    private static void assertNoFrame(WsClient socket, String type) {
        try {
            socket.await(frame -> type.equals(frame.path("type").asString()), QUIET);
        }
        catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("unexpected " + type + " frame");
    }
}
