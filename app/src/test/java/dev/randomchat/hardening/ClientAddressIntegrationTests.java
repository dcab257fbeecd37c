package dev.randomchat.hardening;

import java.net.InetAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.RawWebSocket;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/protocol.md 6.4 on a server that believes it runs on Kubernetes ({@code KUBERNETES_SERVICE_HOST}
 * and {@code _PORT} set, as in every pod): Spring Boot would then switch on Reactor Netty's own
 * forwarded-header handling and let any client name its own address. Only {@link #PROXY} is a
 * trusted proxy here; every other loopback address is a client connecting directly.
 */
class ClientAddressIntegrationTests {

    private static final int GUEST_CREATIONS_PER_MINUTE = 3;
    private static final int MAX_CONNS_PER_IP = 2;
    private static final String ADMIN = "client-address-tests-admin-token-0123456789";
    /** The last second of a minute at which a test counting guest creations may start. */
    private static final int LATEST_SECOND_TO_START = 54;
    private static final InetAddress PROXY = RawHttp.localAddress("127.0.0.1");

    private static String cluster;
    private static ServerProcess server;

    @BeforeAll
    static void startServer() {
        cluster = ChatServer.newCluster();
        server = ServerProcess.start(cluster, Map.of(
                "KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "KUBERNETES_SERVICE_PORT", "443",
                "TRUSTED_PROXIES", "127.0.0.1/32",
                "GUEST_CREATIONS_PER_MINUTE", Integer.toString(GUEST_CREATIONS_PER_MINUTE),
                "MAX_CONNS_PER_IP", Integer.toString(MAX_CONNS_PER_IP),
                "ADMIN_TOKEN", ADMIN));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void spoofedForwardedHeadersFromAnUntrustedClientDoNotEscapeTheGuestCreationLimit() {
        InetAddress client = RawHttp.localAddress("127.0.0.2");
        awaitRoomInThisMinute();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            statuses.add(createGuest(client, Map.of("Forwarded", "for=198.51.100." + i,
                    "X-Forwarded-For", "198.51.100." + i)).status());
        }
        RawHttp.Response spoofed = createGuest(client, Map.of("Forwarded", "for=not-an-ip",
                "X-Forwarded-For", "not-an-ip"));
        RawHttp.Response plain = createGuest(client, Map.of());

        assertThat(statuses).as("the first %d guests", GUEST_CREATIONS_PER_MINUTE).containsOnly(201);
        assertThat(spoofed.status()).as("one more, claiming another address; body %s", spoofed.body()).isEqualTo(429);
        assertThat(plain.status()).isEqualTo(429);
        assertThat(redisKeys()).as("keys of this server")
                .anyMatch(key -> key.contains(":rate:guests:127.0.0.2:"))
                .noneMatch(key -> key.contains("not-an-ip") || key.contains("198.51.100."));
    }

    @Test
    void aSpoofedAddressDoesNotEscapeAnIpBan() {
        RawHttp.Response ban = RawHttp.request("POST", "/api/admin/bans")
                .header("Authorization", "Bearer " + ADMIN)
                .body("application/json", "{\"ip\":\"127.0.0.4\",\"hours\":1}")
                .send(server.managementPort());
        assertThat(ban.status()).as(ban.body()).isEqualTo(201);

        RawHttp.Response spoofed = createGuest(RawHttp.localAddress("127.0.0.4"), Map.of("Forwarded", "for=203.0.113.4",
                "X-Forwarded-For", "203.0.113.4"));
        RawHttp.Response elsewhere = createGuest(RawHttp.localAddress("127.0.0.5"), Map.of());

        assertThat(spoofed.status()).as("banned address claiming another; body %s", spoofed.body()).isEqualTo(403);
        assertThat(elsewhere.status()).as("another address").isEqualTo(201);
    }

    @Test
    void spoofedForwardedHeadersFromAnUntrustedClientDoNotEscapeThePerAddressSocketCap() {
        InetAddress client = RawHttp.localAddress("127.0.0.3");
        String token = Guests.mintedToken("minted-guest", "Max");
        List<RawWebSocket> open = new ArrayList<>();
        try {
            for (int i = 1; i <= MAX_CONNS_PER_IP; i++) {
                open.add(RawWebSocket.open(client, server.wsUri(), token, spoof("198.51.100." + i)));
            }

            int status = RawWebSocket.upgradeStatus(client, server.wsUri(), token, spoof("198.51.100.99"));

            assertThat(status).as("socket %d, each claiming another address", MAX_CONNS_PER_IP + 1).isEqualTo(503);
        }
        finally {
            open.forEach(RawWebSocket::close);
        }
    }

    @Test
    void theAddressATrustedProxyForwardsIsBelievedForGuestsAndSockets() {
        awaitRoomInThisMinute();
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            assertThat(createGuest(PROXY, Map.of("X-Forwarded-For", "203.0.113.50")).status()).isEqualTo(201);
        }
        assertThat(createGuest(PROXY, Map.of("X-Forwarded-For", "203.0.113.50")).status())
                .as("client 203.0.113.50 over its limit").isEqualTo(429);
        assertThat(createGuest(PROXY, Map.of("X-Forwarded-For", "203.0.113.51")).status())
                .as("another client behind the same proxy").isEqualTo(201);

        String token = Guests.mintedToken("minted-guest", "Max");
        List<RawWebSocket> open = new ArrayList<>();
        try {
            for (int i = 1; i <= MAX_CONNS_PER_IP; i++) {
                open.add(RawWebSocket.open(PROXY, server.wsUri(), token, "X-Forwarded-For: 203.0.113.60\r\n"));
            }
            assertThat(RawWebSocket.upgradeStatus(PROXY, server.wsUri(), token, "X-Forwarded-For: 203.0.113.60\r\n"))
                    .isEqualTo(503);
            assertThat(RawWebSocket.upgradeStatus(PROXY, server.wsUri(), token, "X-Forwarded-For: 203.0.113.61\r\n"))
                    .isEqualTo(101);
        }
        finally {
            open.forEach(RawWebSocket::close);
        }
    }

    @Test
    void aReportNamesTheAddressEachGuestLastEnteredOrRejoinedTheChannelFrom() {
        String ada = "addr-ada-" + System.nanoTime();
        String bob = "addr-bob-" + System.nanoTime();
        String adaToken = Guests.mintedToken(ada, "Ada");
        String bobToken = Guests.mintedToken(bob, "Bob");
        try (RawWebSocket adaSocket = RawWebSocket.open(PROXY, server.wsUri(), adaToken, "X-Forwarded-For: 203.0.113.70\r\n");
                RawWebSocket bobFirst = RawWebSocket.open(PROXY, server.wsUri(), bobToken, "X-Forwarded-For: 203.0.113.71\r\n")) {
            adaSocket.sendText("{\"type\":\"match\"}");
            bobFirst.sendText("{\"type\":\"match\"}");
            JsonNode matched = frame(bobFirst, "matched");
            frame(adaSocket, "matched");
            bobFirst.close();
            // Bob comes back from another network, as a phone that left the Wi-Fi does.
            try (RawWebSocket bobBack = RawWebSocket.open(PROXY, server.wsUri(), bobToken, "X-Forwarded-For: 203.0.113.72\r\n")) {
                bobBack.sendText(Guests.JSON.writeValueAsString(Map.of("type", "join",
                        "token", matched.get("token").asString(), "after", 0)));
                frame(bobBack, "joined");
                adaSocket.sendText("{\"type\":\"report\",\"reason\":\"spam\"}");
                frame(adaSocket, "reported");
            }
        }
        RawHttp.Response reports = RawHttp.request("GET", "/api/admin/reports?guest=" + ada)
                .header("Authorization", "Bearer " + ADMIN)
                .send(server.managementPort());
        assertThat(reports.status()).as(reports.body()).isEqualTo(200);
        JsonNode guests = Guests.JSON.readTree(reports.body()).get("reports").get(0).get("guests");
        assertThat(guests.get("reporter").get("address").asString()).isEqualTo("203.0.113.70");
        assertThat(guests.get("reported").get("address").asString()).as("Bob's address when he rejoined")
                .isEqualTo("203.0.113.72");
        assertThat(guests.get("reported").get("name").asString()).isEqualTo("Bob");
    }

    /** Reads this socket's frames up to the first of this type (at most 20 frames). */
    private static JsonNode frame(RawWebSocket socket, String type) {
        for (int i = 0; i < 20; i++) {
            JsonNode frame = Guests.JSON.readTree(socket.next());
            if (type.equals(frame.path("type").asString())) {
                return frame;
            }
        }
        throw new AssertionError("no " + type + " frame within 20");
    }

    @Test
    void ipv6ClientsInOneSlash64ShareOneGuestCreationLimit() {
        awaitRoomInThisMinute();
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            assertThat(createGuest(PROXY, Map.of("X-Forwarded-For", "2001:db8:a:b::" + i)).status()).isEqualTo(201);
        }

        RawHttp.Response sameSlash64 = createGuest(PROXY, Map.of("X-Forwarded-For", "2001:db8:a:b:ffff:ffff:ffff:ffff"));
        RawHttp.Response nextSlash64 = createGuest(PROXY, Map.of("X-Forwarded-For", "2001:db8:a:c::1"));

        assertThat(sameSlash64.status()).as("another address of the same /64").isEqualTo(429);
        assertThat(nextSlash64.status()).as("the next /64").isEqualTo(201);
    }

    private static RawHttp.Response createGuest(InetAddress local, Map<String, String> headers) {
        return Guests.createRaw(server.port(), local, headers);
    }

    private static String spoof(String claimed) {
        return "Forwarded: for=" + claimed + "\r\nX-Forwarded-For: " + claimed + "\r\n";
    }

    private static List<String> redisKeys() {
        RedisClient client = RedisClient.create("redis://" + TestRedis.address());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().keys(cluster + ":*");
        }
        finally {
            client.shutdown();
        }
    }

    /** Guest creations are counted per clock minute: a test too close to the next one waits for it. */
    private static void awaitRoomInThisMinute() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> LocalTime.now(ZoneOffset.UTC).getSecond() <= LATEST_SECOND_TO_START);
    }
}
