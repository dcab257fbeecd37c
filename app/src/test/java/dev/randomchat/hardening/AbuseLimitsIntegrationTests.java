package dev.randomchat.hardening;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.RawWebSocket;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every abuse limit is configurable and answered clearly, and the client that hits it stays usable. */
class AbuseLimitsIntegrationTests {

    private static final Duration WAIT = WsClient.WAIT;
    private static final int RATE_PER_SECOND = 1;
    private static final int RATE_BURST = 3;
    private static final int MAX_MESSAGE_BYTES = 512;
    private static final int MAX_CONNS_PER_IP = 2;
    private static final int GUEST_CREATIONS_PER_MINUTE = 3;
    /** The last second of a minute at which a test counting guest creations may start. */
    private static final int LATEST_SECOND_TO_START = 54;
    /** The one trusted proxy of {@link #addresses}. */
    private static final InetAddress PROXY = RawHttp.localAddress("127.0.0.1");
    /** Clients connecting directly (Linux answers on all of 127.0.0.0/8). */
    private static final InetAddress CLIENT = RawHttp.localAddress("127.0.0.2");
    private static final InetAddress OTHER_CLIENT = RawHttp.localAddress("127.0.0.3");

    /** Small frame rate and size, one match per guest per day. */
    private static ChatServer frames;
    /** Few sockets and guests per address; only {@link #PROXY} is a trusted proxy. */
    private static ChatServer addresses;

    @BeforeAll
    static void startServers() {
        frames = ChatServer.start(Map.of(
                "RATE_LIMIT_PER_SECOND", Integer.toString(RATE_PER_SECOND),
                "RATE_LIMIT_BURST", Integer.toString(RATE_BURST),
                "MAX_MSG_SIZE_BYTE", Integer.toString(MAX_MESSAGE_BYTES),
                "MAX_MATCHES_PER_DAY", "1"));
        addresses = ChatServer.start(Map.of(
                "MAX_CONNS_PER_IP", Integer.toString(MAX_CONNS_PER_IP),
                "GUEST_CREATIONS_PER_MINUTE", Integer.toString(GUEST_CREATIONS_PER_MINUTE),
                "TRUSTED_PROXIES", "127.0.0.1/32"));
    }

    @AfterAll
    static void stopServers() {
        if (frames != null) {
            frames.close();
        }
        if (addresses != null) {
            addresses.close();
        }
    }

    @Test
    void refusesFramesOverTheRateWithoutDeliveringThemAndKeepsTheSocketOpen() {
        try (Visitor ada = Visitor.arrive(frames, "Ada"); Visitor bob = Visitor.arrive(frames, "Bob")) {
            Visitor.pair(ada, bob);
            List<String> accepted = new ArrayList<>();
            List<String> limited = new ArrayList<>();

            for (int i = 0; i < 3 * RATE_BURST; i++) {
                ada.send(Map.of("type", "send", "cmid", "burst-" + i, "text", "burst " + i));
            }
            for (int i = 0; i < 3 * RATE_BURST; i++) {
                String cmid = "burst-" + i;
                JsonNode outcome = outcomeOf(ada.socket(), cmid);
                if ("ack".equals(outcome.path("type").asString())) {
                    accepted.add(cmid);
                }
                else {
                    assertThat(outcome.path("code").asString()).as("error for %s", cmid).isEqualTo("rate_limited");
                    assertThat(outcome.path("message").asString()).isNotBlank();
                    limited.add(cmid);
                }
            }
            // A client that slows down is served again: once a token is back, a message goes through.
            List<String> late = new ArrayList<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                String cmid = "late-" + late.size();
                late.add(cmid);
                ada.send(Map.of("type", "send", "cmid", cmid, "text", "slower"));
                return "ack".equals(outcomeOf(ada.socket(), cmid).path("type").asString());
            });
            String delivered = late.get(late.size() - 1);
            bob.socket().await(f -> "message".equals(f.path("type").asString())
                    && delivered.equals(f.path("cmid").asString()), WAIT);

            assertThat(limited).as("frames over a burst of %d", RATE_BURST).isNotEmpty();
            assertThat(accepted).as("frames within the burst").isNotEmpty();
            List<String> received = bob.socket().frames("message").stream().map(m -> m.path("cmid").asString()).toList();
            List<String> expected = new ArrayList<>(accepted);
            expected.add(delivered);
            assertThat(received).as("what the peer got")
                    .containsExactlyElementsOf(expected)
                    .doesNotContainAnyElementsOf(limited);
            ada.send(Map.of("type", "ping"));
            ada.await("pong");
            assertThat(ada.socket().isClosed()).isFalse();
        }
    }

    @Test
    void chargesFramesThatFailToDecodeToTheRateLimit() {
        try (Visitor ada = Visitor.arrive(frames, "Ada")) {
            for (int i = 0; i < 3 * RATE_BURST; i++) {
                ada.socket().sendMalformed("{not json " + i);
            }
            // Sent at once behind the garbage, which spent the tokens this valid frame needed.
            ada.send(Map.of("type", "cancel"));
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < 3 * RATE_BURST; i++) {
                codes.add(ada.await("error").path("code").asString());
            }
            assertThat(codes).as("answers to undecodable frames").contains("bad_request", "rate_limited")
                    .containsOnly("bad_request", "rate_limited");
            assertThat(codes.stream().filter("bad_request"::equals).count()).as("within the burst")
                    .isLessThanOrEqualTo(RATE_BURST + 1);
            JsonNode answer = ada.await("error");
            assertThat(answer.path("code").asString()).isEqualTo("rate_limited");
            assertThat(answer.path("ref").asString()).isEqualTo("cancel");
            ada.send(Map.of("type", "ping"));
            ada.await("pong");
        }
    }

    @Test
    void refusesASecondPairingOnTheSameDay() {
        try (Visitor cy = Visitor.arrive(frames, "Cy"); Visitor di = Visitor.arrive(frames, "Di");
                Visitor ed = Visitor.arrive(frames, "Ed")) {
            Visitor.pair(cy, di);
            cy.send(Map.of("type", "leave"));
            cy.await("ended");
            di.await("ended");

            // Three frames from Cy in all: within the burst, so the frame rate cannot be what refuses it.
            cy.send(Map.of("type", "match"));
            JsonNode refused = cy.await("error");
            di.send(Map.of("type", "match"));
            JsonNode refusedToo = di.await("error");

            for (JsonNode error : List.of(refused, refusedToo)) {
                assertThat(error.path("code").asString()).isEqualTo("rate_limited");
                assertThat(error.path("ref").asString()).isEqualTo("match");
                assertThat(error.path("message").asString()).isNotBlank();
            }
            // Neither of them was queued: the next guest to ask waits instead of being paired.
            ed.send(Map.of("type", "match"));
            ed.await("waiting");
            assertThat(cy.socket().frames("matched")).hasSize(1);
            assertThat(cy.socket().isClosed()).isFalse();
        }
    }

    @Test
    void refusesFramesOverTheConfiguredSize() {
        try (Visitor ada = Visitor.arrive(frames, "Ada")) {
            assertThat(ada.socket().frames("hello").get(0).path("limits").path("maxMessageBytes").asInt())
                    .isEqualTo(MAX_MESSAGE_BYTES);

            ada.socket().sendMalformed(ping(MAX_MESSAGE_BYTES, "x"));
            ada.await("pong");
            ada.socket().sendMalformed(ping(MAX_MESSAGE_BYTES + 1, "x"));
            JsonNode tooLarge = ada.await("error");
            // Fewer characters than the limit, more bytes: the limit is in bytes.
            ada.socket().sendMalformed(ping(MAX_MESSAGE_BYTES + 2, "\u00e9"));
            JsonNode tooManyBytes = ada.await("error");

            assertThat(tooLarge.path("code").asString()).isEqualTo("too_large");
            assertThat(tooManyBytes.path("code").asString()).isEqualTo("too_large");
            ada.send(Map.of("type", "ping"));
            ada.await("pong");
            assertThat(ada.socket().isClosed()).isFalse();
        }
    }

    @Test
    void refusesSocketsOverThePerAddressLimitUntilOneCloses() {
        String token = Guests.mintedToken("minted-guest", "Max");
        RawWebSocket first = RawWebSocket.open(CLIENT, addresses.wsUri(), token, "");
        try (RawWebSocket second = RawWebSocket.open(CLIENT, addresses.wsUri(), token, "")) {
            assertThat(first.next()).contains("\"hello\"");
            assertThat(second.next()).contains("\"hello\"");

            assertThat(RawWebSocket.upgradeStatus(CLIENT, addresses.wsUri(), token, "")).isEqualTo(503);
            assertThat(RawWebSocket.upgradeStatus(CLIENT, addresses.wsUri(), token, "X-Forwarded-For: 203.0.113.9\r\n"))
                    .as("a forwarded address from a client that is not a trusted proxy changes nothing")
                    .isEqualTo(503);
            assertThat(RawWebSocket.upgradeStatus(OTHER_CLIENT, addresses.wsUri(), token, ""))
                    .as("another address is not limited")
                    .isEqualTo(101);

            first.close();
            await().atMost(WAIT).until(() -> RawWebSocket.upgradeStatus(CLIENT, addresses.wsUri(), token, "") == 101);
            second.sendText("{\"type\":\"ping\"}");
            assertThat(second.next()).isEqualTo("{\"type\":\"pong\"}");
        }
        finally {
            first.close();
        }
    }

    /**
     * A proxy that appends the address it saw ({@code $proxy_add_x_forwarded_for}, as the shipped
     * nginx does) passes on whatever the client put first: the client is the last address before
     * the trusted proxies, never one it wrote itself.
     */
    @Test
    void countsSocketsOfTheAddressATrustedProxySawNotTheOneTheClientClaims() {
        String token = Guests.mintedToken("minted-guest", "Max");
        List<RawWebSocket> open = new ArrayList<>();
        try {
            for (int i = 1; i <= MAX_CONNS_PER_IP; i++) {
                open.add(RawWebSocket.open(PROXY, addresses.wsUri(), token, forwardedFor("198.51.100." + i, "203.0.113.8")));
            }

            int status = RawWebSocket.upgradeStatus(PROXY, addresses.wsUri(), token, forwardedFor("198.51.100.99",
                    "203.0.113.8"));

            assertThat(status).as("socket %d of client 203.0.113.8, which claimed another address each time",
                    MAX_CONNS_PER_IP + 1).isEqualTo(503);
        }
        finally {
            open.forEach(RawWebSocket::close);
        }
    }

    @Test
    void refusesGuestCreationsOverThePerAddressRateWithAProblem() {
        awaitRoomInThisMinute();
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            assertThat(createGuest(CLIENT, "X-Forwarded-For", "198.51.100." + i).status()).isEqualTo(201);
        }

        RawHttp.Response refused = createGuest(CLIENT, "X-Forwarded-For", "198.51.100.99");
        RawHttp.Response elsewhere = createGuest(OTHER_CLIENT, null, null);

        assertThat(refused.status()).as("body %s", refused.body()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = Guests.JSON.readTree(refused.body());
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank();
        assertThat(elsewhere.status()).as("another address is not limited").isEqualTo(201);
    }

    /** As {@link #countsSocketsOfTheAddressATrustedProxySawNotTheOneTheClientClaims}, for guest creations. */
    @Test
    void countsGuestCreationsOfTheAddressATrustedProxySawNotTheOneTheClientClaims() {
        awaitRoomInThisMinute();
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            assertThat(createGuest(PROXY, "X-Forwarded-For", "198.51.100." + i + ", 203.0.113.7").status())
                    .isEqualTo(201);
        }

        RawHttp.Response next = createGuest(PROXY, "X-Forwarded-For", "198.51.100.99, 203.0.113.7");

        assertThat(next.status()).as("guest %d of client 203.0.113.7, which claimed another address each time; body %s",
                GUEST_CREATIONS_PER_MINUTE + 1, next.body()).isEqualTo(429);
    }

    @Test
    void refusesChallengesOverThePerAddressRateWithAProblem() {
        awaitRoomInThisMinute();
        InetAddress client = RawHttp.localAddress("127.0.0.6");
        for (int i = 1; i <= GUEST_CREATIONS_PER_MINUTE; i++) {
            assertThat(challenge(client).status()).isEqualTo(200);
        }

        RawHttp.Response refused = challenge(client);
        RawHttp.Response elsewhere = challenge(RawHttp.localAddress("127.0.0.7"));

        assertThat(refused.status()).as("body %s", refused.body()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Guests.JSON.readTree(refused.body()).path("detail").asString()).isNotBlank();
        assertThat(elsewhere.status()).as("another address is not limited").isEqualTo(200);
    }

    private static RawHttp.Response challenge(InetAddress local) {
        return RawHttp.request("GET", "/api/guests/challenge").from(local).send(addresses.port());
    }

    /** Creates a guest from {@code local}, with one extra header unless {@code header} is null. */
    private static RawHttp.Response createGuest(InetAddress local, String header, String value) {
        return Guests.createRaw(addresses.port(), local, header == null ? Map.of() : Map.of(header, value));
    }

    /** Guest creations are counted per clock minute: a test too close to the next one waits for it. */
    private static void awaitRoomInThisMinute() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> LocalTime.now(ZoneOffset.UTC).getSecond() <= LATEST_SECOND_TO_START);
    }

    private static String forwardedFor(String claimed, String seenByProxy) {
        return "X-Forwarded-For: " + claimed + ", " + seenByProxy + "\r\n";
    }

    /** The answer to the frame with this {@code cmid}: its {@code ack}, or an {@code error} naming it. */
    private static JsonNode outcomeOf(WsClient socket, String cmid) {
        return socket.await(f -> ("ack".equals(f.path("type").asString()) || "error".equals(f.path("type").asString()))
                && cmid.equals(f.path(f.has("cmid") ? "cmid" : "ref").asString()), WAIT);
    }

    /** A ping frame padded to exactly {@code bytes} UTF-8 bytes with {@code unit}. */
    private static String ping(int bytes, String unit) {
        String base = "{\"type\":\"ping\",\"pad\":\"\"}";
        int room = bytes - base.length();
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        String pad = unit.repeat(room / unitBytes) + "x".repeat(room % unitBytes);
        String frame = "{\"type\":\"ping\",\"pad\":\"" + pad + "\"}";
        assertThat(frame.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return frame;
    }
}
