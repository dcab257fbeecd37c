package dev.randomchat.socket;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The websocket endpoint of a real server: upgrade checks, frames, limits and keep-alive. */
class SocketIntegrationTests {

    private static final Duration WAIT = WsClient.WAIT;
    private static final String ALLOWED_ORIGIN = "https://allowed.example";
    private static final int MAX_MESSAGE_BYTES = 1024;
    private static final int MAX_TEXT_CHARS = 100;
    private static final long MAX_UPLOAD_BYTES = 12345;
    private static final int MAX_SIGNAL_BYTES = 12000;
    private static final int RATE_PER_SECOND = 5;
    private static final int RATE_BURST = 5;
    /** Short keep-alive timings, so that idle closing is observable in a few seconds. */
    private static final Duration PING_INTERVAL = Duration.ofSeconds(1);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

    private static ChatServer server;
    /** Holds at most two sockets. */
    private static ChatServer small;
    private static JsonNode ada;

    @BeforeAll
    static void startServers() {
        Map<String, String> env = new HashMap<>();
        env.put("ALLOWED_ORIGINS", ALLOWED_ORIGIN + ", https://other.example");
        env.put("MAX_MSG_SIZE_BYTE", Integer.toString(MAX_MESSAGE_BYTES));
        env.put("MAX_TEXT_CHARS", Integer.toString(MAX_TEXT_CHARS));
        env.put("MAX_UPLOAD_BYTES", Long.toString(MAX_UPLOAD_BYTES));
        env.put("MAX_SIGNAL_BYTES", Integer.toString(MAX_SIGNAL_BYTES));
        env.put("RATE_LIMIT_PER_SECOND", Integer.toString(RATE_PER_SECOND));
        env.put("RATE_LIMIT_BURST", Integer.toString(RATE_BURST));
        env.put("WS_PING_SECONDS", Long.toString(PING_INTERVAL.toSeconds()));
        env.put("WS_IDLE_SECONDS", Long.toString(IDLE_TIMEOUT.toSeconds()));
        server = ChatServer.start(env);
        small = ChatServer.start(Map.of("MAX_ALLOWED_CONNS", "2"));
        ada = Guests.create(server.baseUrl(), "Ada");
    }

    @AfterAll
    static void stopServers() {
        if (server != null) {
            server.close();
        }
        if (small != null) {
            small.close();
        }
    }

    @Test
    void refusesUpgradeWithoutGuestAuth() {
        assertThat(WsClient.upgradeStatus(server.wsUri(), Map.of())).isEqualTo(401);
    }

    @Test
    void refusesUpgradeWithBadToken() {
        assertThat(WsClient.upgradeStatus(server.wsUri(), bearer("not-a-token"))).isEqualTo(401);
        assertThat(WsClient.upgradeStatus(server.wsUri(), bearer(tampered(token())))).isEqualTo(401);
        assertThat(WsClient.upgradeStatus(server.wsUri(), Map.of("Cookie", "rc_guest=" + tampered(token()))))
                .isEqualTo(401);
    }

    @Test
    void refusesUpgradeWithExpiredOrChannelToken() {
        byte[] secret = ChatServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8);
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new TokenService(secret, Duration.ofMinutes(1), anHourAgo)
                .issueGuest(new Guest(ada.path("id").asString(), "Ada"))
                .token();
        String channelToken = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC())
                .issueChannel(ada.path("id").asString(), "channel-1")
                .token();

        assertThat(WsClient.upgradeStatus(server.wsUri(), bearer(expired))).isEqualTo(401);
        assertThat(WsClient.upgradeStatus(server.wsUri(), Map.of("Cookie", "rc_guest=" + expired))).isEqualTo(401);
        assertThat(WsClient.upgradeStatus(server.wsUri(), bearer(channelToken))).isEqualTo(401);
    }

    @Test
    void refusesUpgradeFromForeignOrigin() {
        for (String origin : List.of("https://evil.example", "null", "http://127.0.0.1:1",
                "https://127.0.0.1:" + server.port(), "https://allowed.example.evil.example")) {
            assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(bearer(token()), origin)))
                    .as("Origin %s", origin)
                    .isEqualTo(403);
        }
    }

    @Test
    void refusesForeignOriginEvenWithTheGuestCookie() {
        Map<String, String> headers = withOrigin(Map.of("Cookie", "rc_guest=" + token()), "https://evil.example");

        assertThat(WsClient.upgradeStatus(server.wsUri(), headers)).isEqualTo(403);
    }

    @Test
    void checksOriginBeforeAuth() {
        assertThat(WsClient.upgradeStatus(server.wsUri(), Map.of("Origin", "https://evil.example"))).isEqualTo(403);
    }

    @Test
    void acceptsUpgradeFromTheServersOwnOrigin() {
        assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(bearer(token()), server.baseUrl()))).isEqualTo(-1);
        assertThat(WsClient.upgradeStatus(server.wsUri(),
                withOrigin(bearer(token()), "HTTP://127.0.0.1:" + server.port()))).isEqualTo(-1);
    }

    @Test
    void acceptsUpgradeFromAnAllowedOrigin() {
        assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(bearer(token()), ALLOWED_ORIGIN))).isEqualTo(-1);
        assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(bearer(token()), "https://other.example:443")))
                .isEqualTo(-1);
    }

    @Test
    void takesOwnOriginFromTrustedProxyHeaders() {
        Map<String, String> proxied = new HashMap<>(bearer(token()));
        proxied.put("X-Forwarded-Proto", "https");
        proxied.put("X-Forwarded-Host", "chat.example.com");

        assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(proxied, "https://chat.example.com"))).isEqualTo(-1);
        assertThat(WsClient.upgradeStatus(server.wsUri(), withOrigin(proxied, server.baseUrl()))).isEqualTo(403);
    }

    @Test
    void acceptsUpgradeWithTheGuestCookie() {
        try (WsClient client = WsClient.connect(server.wsUri(), Map.of("Cookie", "rc_guest=" + token()))) {
            assertThat(client.await("hello").path("you").path("id").asString()).isEqualTo(ada.path("id").asString());
        }
    }

    @Test
    void refusesUpgradesOverCapacityUntilASocketCloses() {
        String token = Guests.create(small.baseUrl(), "Bob").path("token").asString();
        WsClient first = WsClient.connect(small.wsUri(), token);
        try (WsClient second = WsClient.connect(small.wsUri(), token)) {
            first.await("hello");
            second.await("hello");

            assertThat(WsClient.upgradeStatus(small.wsUri(), bearer(token))).isEqualTo(503);
            assertThat(WsClient.upgradeStatus(small.wsUri(), Map.of())).as("auth is checked before capacity").isEqualTo(401);
            assertThat(WsClient.upgradeStatus(small.wsUri(), withOrigin(bearer(token), "https://evil.example")))
                    .as("origin is checked before capacity")
                    .isEqualTo(403);

            first.close();
            await().atMost(WAIT).until(() -> WsClient.upgradeStatus(small.wsUri(), bearer(token)) == -1);
            assertThat(second.isClosed()).isFalse();
        }
        finally {
            first.close();
        }
    }

    @Test
    void sendsHelloFirstWithTheGuestAndTheConfiguredLimits() {
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            JsonNode hello = client.await("hello");

            assertThat(client.frames().get(0)).isEqualTo(hello);
            assertThat(hello.path("you").path("id").asString()).isEqualTo(ada.path("id").asString());
            assertThat(hello.path("you").path("name").asString()).isEqualTo("Ada");
            assertThat(hello.path("limits").path("maxMessageBytes").asInt()).isEqualTo(MAX_MESSAGE_BYTES);
            assertThat(hello.path("limits").path("maxTextChars").asInt()).isEqualTo(MAX_TEXT_CHARS);
            assertThat(hello.path("limits").path("maxUploadBytes").asLong()).isEqualTo(MAX_UPLOAD_BYTES);
            assertThat(hello.path("limits").path("maxSignalBytes").asInt()).isEqualTo(MAX_SIGNAL_BYTES);
        }
    }

    @Test
    void answersPingWithPong() {
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");

            client.send("{\"type\":\"ping\"}");

            assertThat(client.await("pong").path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void answersEveryMalformedFrameWithAnErrorAndStaysOpen() {
        Map<String, String> expectedCodes = new LinkedHashMap<>();
        expectedCodes.put("{\"type\":\"ping\"", ErrorCode.BAD_REQUEST);
        expectedCodes.put("[1,2,3]", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"kind\":\"ping\"}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"dance\"}", ErrorCode.UNKNOWN_TYPE);
        expectedCodes.put("{\"type\":\"send\",\"cmid\":\"c1\"}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"join\"}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"send\",\"cmid\":\"c1\",\"text\":42}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"typing\",\"active\":\"yes\"}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"join\",\"token\":\"t\",\"after\":\"5\"}", ErrorCode.BAD_REQUEST);
        expectedCodes.put("{\"type\":\"send\",\"cmid\":\"c2\",\"text\":\"" + "a".repeat(MAX_TEXT_CHARS + 1) + "\"}",
                ErrorCode.TOO_LARGE);
        expectedCodes.put("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(MAX_MESSAGE_BYTES) + "\"}", ErrorCode.TOO_LARGE);

        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");
            expectedCodes.forEach((frame, code) -> {
                // Frames that fail to decode cost the socket's rate like any other (protocol 7.5):
                // one refused for the rate is sent again once a token is back.
                JsonNode error = await().atMost(WsClient.WAIT).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1000 / RATE_PER_SECOND))
                        .until(() -> client.sendMalformed(frame).await("error"),
                                answer -> !ErrorCode.RATE_LIMITED.equals(answer.path("code").asString()));
                assertThat(error.path("code").asString()).as("code for %s", frame).isEqualTo(code);
                assertThat(error.path("message").asString()).as("message for %s", frame).isNotBlank();
                client.send("{\"type\":\"ping\"}");
                client.await("pong");
            });
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void namesTheFrameAnErrorAnswers() {
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");

            client.sendMalformed("{\"type\":\"dance\"}");
            assertThat(client.await("error").path("ref").asString()).isEqualTo("dance");
            client.sendMalformed("{\"type\":\"send\",\"cmid\":\"c9\",\"text\":42}");
            assertThat(client.await("error").path("ref").asString()).isEqualTo("c9");
        }
    }

    @Test
    void answersBinaryFrameWithErrorAndStaysOpen() {
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");

            client.sendBinary(new byte[] {1, 2, 3});

            assertThat(client.await("error").path("code").asString()).isEqualTo(ErrorCode.BAD_REQUEST);
            client.send("{\"type\":\"ping\"}");
            client.await("pong");
        }
    }

    @Test
    void survivesFrameOverSixtyFourKibibytes() {
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");

            client.sendMalformed("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");

            await().atMost(WAIT).until(() -> client.isClosed() || !client.frames("error").isEmpty());
            if (client.isClosed()) {
                assertThat(client.awaitClose(WAIT)).isEqualTo(1009);
            }
            else {
                assertThat(client.await("error").path("code").asString()).isEqualTo(ErrorCode.TOO_LARGE);
            }
        }
        try (WsClient next = WsClient.connect(server.wsUri(), token())) {
            next.await("hello");
            next.send("{\"type\":\"ping\"}");
            next.await("pong");
        }
    }

    @Test
    void limitsTheFrameRateAndKeepsTheSocketOpen() {
        int burst = 20;
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");

            long start = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                client.send("{\"type\":\"cancel\"}");
            }
            await().atMost(WAIT).until(() -> client.frames("cancelled").size() + rateLimited(client).size() == burst);
            double seconds = (System.nanoTime() - start) / 1e9;

            int served = client.frames("cancelled").size();
            assertThat(rateLimited(client)).isNotEmpty()
                    .allSatisfy(error -> assertThat(error.path("ref").asString()).isEqualTo("cancel"));
            assertThat(served).as("frames served within burst %d plus %d/s over %.2f s", RATE_BURST, RATE_PER_SECOND, seconds)
                    .isGreaterThanOrEqualTo(RATE_BURST)
                    .isLessThanOrEqualTo(RATE_BURST + (int) Math.ceil(RATE_PER_SECOND * seconds));
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void neverRateLimitsPing() {
        int pings = 30;
        try (WsClient client = WsClient.connect(server.wsUri(), token())) {
            client.await("hello");
            for (int i = 0; i < RATE_BURST * 2; i++) {
                client.send("{\"type\":\"cancel\"}");
            }

            for (int i = 0; i < pings; i++) {
                client.send("{\"type\":\"ping\"}");
            }

            await().atMost(WAIT).until(() -> client.frames("pong").size() == pings);
            assertThat(rateLimited(client)).as("only cancels are limited")
                    .allSatisfy(error -> assertThat(error.path("ref").asString()).isEqualTo("cancel"));
        }
    }

    @Test
    void pingsAtTheConfiguredIntervalAndClosesSocketsThatAnswerNothing() {
        List<Long> pings = new CopyOnWriteArrayList<>();
        try (WsClient ponging = WsClient.connect(server.wsUri(), token())) {
            ponging.await("hello");
            long start = System.nanoTime();

            silentClient(server.wsUri(), token(), pings)
                    .as(StepVerifier::create)
                    .assertNext(code -> assertThat(code).as("close code").isEqualTo(1001))
                    .expectComplete()
                    .verify(IDLE_TIMEOUT.plus(WAIT));
            Duration open = Duration.ofNanos(System.nanoTime() - start);

            assertThat(open).isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusMillis(500));
            assertThat(pings).as("pings before the idle close").hasSizeGreaterThanOrEqualTo(2);
            assertThat(gaps(pings)).allSatisfy(gap -> assertThat(gap)
                    .isBetween(PING_INTERVAL.dividedBy(2), PING_INTERVAL.multipliedBy(2)));
            assertThat(ponging.isClosed()).as("a client that answers pings stays").isFalse();
            ponging.send("{\"type\":\"ping\"}");
            ponging.await("pong");
        }
    }

    /**
     * A client that never answers pings (Reactor Netty hands them to the handler instead of
     * replying) and sends nothing; emits the close code the server sent.
     */
    private static Mono<Integer> silentClient(URI uri, String token, List<Long> pings) {
        return reactor.netty.http.client.HttpClient.create(ConnectionProvider.newConnection())
                .headers(headers -> headers.add("Authorization", "Bearer " + token))
                .websocket(WebsocketClientSpec.builder().handlePing(true).build())
                .uri(uri)
                .handle((in, out) -> in.receiveFrames()
                        .doOnNext(frame -> {
                            if (frame instanceof PingWebSocketFrame) {
                                pings.add(System.nanoTime());
                            }
                        })
                        .then(in.receiveCloseStatus())
                        .map(status -> status.code()))
                .next();
    }

    private static List<Duration> gaps(List<Long> times) {
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(Duration.ofNanos(times.get(i) - times.get(i - 1)));
        }
        return gaps;
    }

    private static List<JsonNode> rateLimited(WsClient client) {
        return client.frames("error").stream()
                .filter(error -> ErrorCode.RATE_LIMITED.equals(error.path("code").asString()))
                .toList();
    }

    private static String token() {
        return ada.path("token").asString();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static Map<String, String> withOrigin(Map<String, String> headers, String origin) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Origin", origin);
        return all;
    }

    private static String tampered(String token) {
        int inSignature = token.lastIndexOf('.') + 5;
        return token.substring(0, inSignature) + (token.charAt(inSignature) == 'A' ? 'B' : 'A')
                + token.substring(inSignature + 1);
    }
}
