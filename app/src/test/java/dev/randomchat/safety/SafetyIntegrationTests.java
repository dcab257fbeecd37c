package dev.randomchat.safety;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.TwoServers;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Reports, blocks, bans and the operators' API, on two servers. */
class SafetyIntegrationTests {

    private static final String ADMIN = "admin-token-for-tests-0123456789";
    private static final Duration QUIET = Duration.ofMillis(700);

    @RegisterExtension
    static final TwoServers servers = new TwoServers(Map.of("ADMIN_TOKEN", ADMIN));

    @Test
    void reportKeepsTheEvidenceEndsTheChannelAndBlocksThePair() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            Visitor.pair(ada, bob);
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
            ada.socket().assertNoFrame("matched", QUIET);
            try (Visitor cat = Visitor.arrive(servers.two(), "Cat")) {
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
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada"); Visitor bob = Visitor.arrive(servers.two(), "Bob")) {
            Visitor.pair(ada, bob);
            ada.send(Map.of("type", "leave", "block", true));
            ada.await("ended");
            bob.await("ended");
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            bob.await("waiting");
            bob.socket().assertNoFrame("matched", QUIET);
            ada.send(Map.of("type", "cancel"));
            ada.await("cancelled");
            bob.send(Map.of("type", "cancel"));
            bob.await("cancelled");
        }
    }

    @Test
    void reportOutsideAChannelIsRefused() {
        try (Visitor ada = Visitor.arrive(servers.one(), "Ada")) {
            ada.send(Map.of("type", "report", "reason", "abuse"));
            assertThat(ada.await("error").get("code").asString()).isEqualTo("not_in_channel");
            ada.socket().sendMalformed(Map.of("type", "report", "reason", "because"));
            assertThat(ada.await("error").get("code").asString()).isEqualTo("bad_request");
        }
    }

    @Test
    void banClosesTheGuestsSocketsOnEveryServerAndRefusesNewOnes() {
        try (Visitor eve = Visitor.arrive(servers.two(), "Eve")) {
            HttpResponse<String> ban = admin("POST", "/api/admin/bans",
                    "{\"guestId\":\"" + eve.id() + "\",\"hours\":1}", ADMIN);
            assertThat(ban.statusCode()).isEqualTo(201);
            JsonNode reply = Guests.JSON.readTree(ban.body());
            assertThat(reply.get("guestId").asString()).isEqualTo(eve.id());
            assertThat(reply.get("until").asString()).isNotBlank();
            assertThat(eve.socket().awaitClose(WsClient.WAIT)).isEqualTo(4003);
            assertThat(WsClient.upgradeStatus(servers.one().wsUri(), Map.of("Authorization", "Bearer " + eve.token())))
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
            HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(plain.managementUri("/api/admin/reports"))
                    .header("Authorization", "Bearer anything").timeout(WsClient.WAIT).build());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void bannedAddressCannotCreateGuests() {
        try (ChatServer isolated = ChatServer.start(Map.of("ADMIN_TOKEN", ADMIN))) {
            HttpResponse<String> ban = Guests.send(HttpRequest.newBuilder(isolated.managementUri("/api/admin/bans"))
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

    @Test
    void metricsAndTheOperatorApiAreServedOnTheManagementPortOnly() {
        for (String path : new String[] {"/actuator/prometheus", "/api/admin/reports", "/actuator",
                "/actuator/%70rometheus", "/api/%61dmin/reports", "/API/Admin/reports", "//api/admin/reports",
                "/api;x=1/admin/reports"}) {
            assertThat(admin(servers.one().uri(path), "GET", null, ADMIN).statusCode()).as("public port, %s", path).isEqualTo(404);
        }
        assertThat(admin(servers.one().uri("/api/admin/bans"), "POST", "{\"ip\":\"192.0.2.1\",\"hours\":1}", ADMIN).statusCode())
                .as("a ban through the public port").isEqualTo(404);

        HttpResponse<String> metrics = admin(servers.one().managementUri("/actuator/prometheus"), "GET", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        assertThat(admin(servers.one().managementUri("/api/admin/reports"), "GET", null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(admin(servers.one().managementUri("/actuator/health/readiness"), "GET", null, null).statusCode()).isEqualTo(200);
        for (String probe : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            assertThat(admin(servers.one().uri(probe), "GET", null, null).statusCode()).as("public port, %s", probe).isEqualTo(200);
        }
        assertThat(admin(servers.one().managementUri("/api/guests/challenge"), "GET", null, null).statusCode())
                .as("the chat API is not on the management port").isEqualTo(404);
        assertThat(admin(servers.one().managementUri("/"), "GET", null, null).statusCode()).as("nor the page").isEqualTo(404);
    }

    /** The port is the one the connection reached, whatever Host or X-Forwarded-Port says. */
    @Test
    void aHostHeaderNamingTheManagementPortOpensNothingOnThePublicPort() throws IOException {
        String management = "127.0.0.1:" + servers.one().managementPort();
        try (Socket socket = new Socket("127.0.0.1", servers.one().port())) {
            socket.setSoTimeout((int) WsClient.WAIT.toMillis());
            socket.getOutputStream().write(("GET /actuator/prometheus HTTP/1.1\r\nHost: " + management
                    + "\r\nX-Forwarded-Port: " + servers.one().managementPort() + "\r\nX-Forwarded-Host: " + management
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 404").doesNotContain("jvm_memory");
        }
    }

    @Test
    void aBanWithAWrongJsonTypeIsABadRequestNotACoercion() {
        HttpResponse<String> ban = admin("POST", "/api/admin/bans", "{\"ip\":\"192.0.2.7\",\"hours\":\"5\"}", ADMIN);

        assertThat(ban.statusCode()).as(ban.body()).isEqualTo(400);
        assertThat(ban.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        assertThat(admin("POST", "/api/admin/bans", "{\"ip\":\"192.0.2.7\",\"hours\":5.5}", ADMIN).statusCode())
                .isEqualTo(400);
        assertThat(admin("POST", "/api/admin/bans", "{\"guestId\":7,\"hours\":5}", ADMIN).statusCode()).isEqualTo(400);
    }

    /** Test clients connect from loopback, a trusted proxy by default, so X-Forwarded-For names the client. */
    @Test
    void anIpv6BanCoversItsWholeSlash64() {
        try (ChatServer isolated = ChatServer.start(Map.of("ADMIN_TOKEN", ADMIN))) {
            HttpResponse<String> ban = admin(isolated.managementUri("/api/admin/bans"), "POST",
                    "{\"ip\":\"2001:db8:7:8::5\",\"hours\":1}", ADMIN);
            assertThat(ban.statusCode()).as(ban.body()).isEqualTo(201);

            assertThat(createGuestFor(isolated, "2001:db8:7:8:ffff:1:2:3").statusCode()).as("same /64").isEqualTo(403);
            assertThat(createGuestFor(isolated, "2001:db8:7:9::5").statusCode()).as("next /64").isEqualTo(201);
        }
    }

    private static HttpResponse<String> createGuestFor(ChatServer server, String forwardedFor) {
        return Guests.send(HttpRequest.newBuilder(server.uri("/api/guests"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", forwardedFor)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Mallory\"}"))
                .timeout(WsClient.WAIT).build());
    }

    private static HttpResponse<String> admin(String method, String path, String body, String token) {
        return admin(servers.one().managementUri(path), method, body, token);
    }

    private static HttpResponse<String> admin(URI uri, String method, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(WsClient.WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Guests.send(request.build());
    }
}
