package dev.randomchat.guest;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** {@code /api/guests} over real HTTP against a real server. */
class GuestApiIntegrationTests {

    private static final String COOKIE = "rc_guest";
    private static final String PROBLEM_JSON = "application/problem+json";
    /** A healthy answer takes milliseconds. */
    private static final Duration KEEP_ALIVE_ANSWER = Duration.ofSeconds(3);

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = ChatServer.start(Map.of("GUEST_CREATIONS_PER_MINUTE", "100000"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void createsGuestWithSignedTokenAndExpiry() {
        Instant before = Instant.now();
        HttpResponse<String> response = create("{\"name\":\"Ada\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = Guests.JSON.readTree(response.body());
        assertThat(body.path("id").asString()).isNotBlank();
        assertThat(body.path("name").asString()).isEqualTo("Ada");
        assertThat(body.path("token").asString()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        assertThat(Instant.parse(body.path("expiresAt").asString()))
                .isAfter(before.plus(Duration.ofHours(23)))
                .isBefore(Instant.now().plus(Duration.ofHours(25)));
    }

    @Test
    void setsHttpOnlyLaxCookieWithoutSecureOverPlainHttp() {
        HttpResponse<String> response = create("{\"name\":\"Ada\"}");
        String token = Guests.JSON.readTree(response.body()).path("token").asString();

        List<String> attributes = cookieAttributes(response);
        assertThat(attributes.get(0)).isEqualTo(COOKIE + "=" + token);
        assertThat(attributes).contains("HttpOnly", "SameSite=Lax", "Path=/");
        assertThat(attributes).noneMatch(attribute -> attribute.equalsIgnoreCase("Secure"));
    }

    @Test
    void setsSecureCookieWhenTrustedProxySaysTheRequestCameOverHttps() {
        HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(server.uri("/api/guests"))
                .timeout(Guests.TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", "https")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(cookieAttributes(response)).contains("Secure", "HttpOnly", "SameSite=Lax", "Path=/");
    }

    @Test
    void storesAndReturnsTheTrimmedName() {
        HttpResponse<String> response = create("{\"name\":\"  Ada Lovelace \\t\"}");
        JsonNode body = Guests.JSON.readTree(response.body());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(body.path("name").asString()).isEqualTo("Ada Lovelace");
        JsonNode me = Guests.JSON.readTree(me(Map.of("Authorization", "Bearer " + body.path("token").asString())).body());
        assertThat(me.path("name").asString()).isEqualTo("Ada Lovelace");
    }

    @Test
    void acceptsTwentyFourCodePointsOutsideTheBasicPlane() {
        String name = "\uD83D\uDE00".repeat(24);
        HttpResponse<String> response = create(Guests.JSON.writeValueAsString(Map.of("name", name)));

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(Guests.JSON.readTree(response.body()).path("name").asString()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"\"}", "{\"name\":\"   \"}", "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaa\"}",
            "{\"name\":\"Ada\\u0007\"}", "{\"name\":\"Ada\\nBob\"}", "{\"name\":null}", "{}"})
    void refusesInvalidNamesWithProblem(String body) {
        assertProblem(create(body), 400);
    }

    @Test
    void refusesMissingBodyWithProblem() {
        HttpResponse<String> response = Guests.send(HttpRequest.newBuilder(server.uri("/api/guests"))
                .timeout(Guests.TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

        assertProblem(response, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"name\":", "not json", "[\"Ada\"]"})
    void refusesMalformedJsonWithProblem(String body) {
        assertProblem(create(body), 400);
    }

    /** Values are never coerced (docs/protocol.md 2.1): a number, a boolean or an object is no name. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":42}", "{\"name\":4.2}", "{\"name\":true}", "{\"name\":{\"text\":\"Ada\"}}",
            "{\"name\":[\"Ada\"]}", "{\"name\":\"Ada\",\"nonce\":7}"})
    void refusesWrongJsonTypesWithProblemInsteadOfCoercing(String body) {
        assertProblem(create(body), 400);
    }

    @Test
    void problemBodiesCarryType() {
        List<HttpResponse<String>> problems = List.of(create("{\"name\":\"\"}"), create("{"), me(Map.of()));

        for (HttpResponse<String> response : problems) {
            JsonNode problem = Guests.JSON.readTree(response.body());
            assertThat(problem.path("type").asString()).as("type in %s", response.body()).isNotBlank();
        }
    }

    @Test
    void meAnswersViaCookie() {
        JsonNode guest = Guests.create(server.baseUrl(), "Ada");

        HttpResponse<String> response = me(Map.of("Cookie", COOKIE + "=" + guest.path("token").asString()));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode me = Guests.JSON.readTree(response.body());
        assertThat(me.path("id").asString()).isEqualTo(guest.path("id").asString());
        assertThat(me.path("name").asString()).isEqualTo("Ada");
    }

    @Test
    void meAnswersViaBearer() {
        JsonNode guest = Guests.create(server.baseUrl(), "Ada");

        HttpResponse<String> response = me(Map.of("Authorization", "Bearer " + guest.path("token").asString()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Guests.JSON.readTree(response.body()).path("id").asString()).isEqualTo(guest.path("id").asString());
    }

    @Test
    void meRefusesRequestsWithoutToken() {
        assertProblem(me(Map.of()), 401);
    }

    @Test
    void meRefusesTamperedTokens() {
        String token = Guests.create(server.baseUrl(), "Ada").path("token").asString();
        int inSignature = token.lastIndexOf('.') + 5;
        String tampered = token.substring(0, inSignature) + (token.charAt(inSignature) == 'A' ? 'B' : 'A')
                + token.substring(inSignature + 1);

        assertProblem(me(Map.of("Authorization", "Bearer " + tampered)), 401);
        assertProblem(me(Map.of("Cookie", COOKIE + "=" + tampered)), 401);
        assertProblem(me(Map.of("Authorization", "Bearer not-a-token")), 401);
    }

    @Test
    void meRefusesExpiredTokens() {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new TokenService(serverSecret(), Duration.ofMinutes(1), anHourAgo)
                .issueGuest(new Guest("guest-1", "Ada"))
                .token();

        assertProblem(me(Map.of("Authorization", "Bearer " + expired)), 401);
        assertProblem(me(Map.of("Cookie", COOKIE + "=" + expired)), 401);
    }

    @Test
    void meRefusesTokensSignedWithAnotherKey() {
        byte[] otherKey = "some-other-key-some-other-key-0123456789".getBytes(StandardCharsets.UTF_8);
        String foreign = new TokenService(otherKey, Duration.ofHours(1), Clock.systemUTC())
                .issueGuest(new Guest("guest-1", "Ada"))
                .token();

        assertProblem(me(Map.of("Authorization", "Bearer " + foreign)), 401);
    }

    @Test
    void meRefusesChannelTokens() {
        String guestId = Guests.create(server.baseUrl(), "Ada").path("id").asString();
        String channelToken = new TokenService(serverSecret(), Duration.ofHours(1), Clock.systemUTC())
                .issueChannel(guestId, "channel-1")
                .token();

        assertProblem(me(Map.of("Authorization", "Bearer " + channelToken)), 401);
        assertProblem(me(Map.of("Cookie", COOKIE + "=" + channelToken)), 401);
    }

    /** Browsers and load balancers reuse one connection; requests served with Redis's help included. */
    @Test
    void answersEveryRequestOnOneKeepAliveConnection() throws IOException {
        int rounds = 60;
        try (RawHttp.Connection connection = RawHttp.keepAlive(server.port(), KEEP_ALIVE_ANSWER)) {
            for (int round = 1; round <= rounds; round++) {
                String step = "POST /api/guests";
                try {
                    RawHttp.Response created = connection.exchange("POST", "/api/guests", "{\"name\":\"Ada\"}", null);
                    assertThat(created.status()).isEqualTo(201);
                    step = "GET /api/guests/me";
                    String token = Guests.JSON.readTree(created.body()).path("token").asString();
                    assertThat(connection.exchange("GET", "/api/guests/me", null, token).status()).isEqualTo(200);
                    step = "GET /actuator/health";
                    assertThat(connection.exchange("GET", "/actuator/health", null, null).status()).isEqualTo(200);
                }
                catch (SocketTimeoutException ex) {
                    fail("no answer to %s within %s in round %d of %d on one kept-alive connection",
                            step, KEEP_ALIVE_ANSWER, round, rounds);
                }
            }
        }
    }

    @Test
    void pageAndApiCarrySecurityHeaders() {
        HttpResponse<String> page = Guests.send(HttpRequest.newBuilder(server.uri("/")).timeout(Guests.TIMEOUT).build());
        HttpResponse<String> created = create("{\"name\":\"Ada\"}");
        HttpResponse<String> refused = me(Map.of());

        for (HttpResponse<String> response : List.of(page, created, refused)) {
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .as("CSP of %s", response.uri())
                    .hasValueSatisfying(csp -> assertThat(csp)
                            .contains("default-src 'self'")
                            .contains("frame-ancestors 'none'")
                            .doesNotContain("unsafe-inline"));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).isPresent();
        }
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("Cache-Control")).hasValueSatisfying(
                value -> assertThat(value).contains("no-store"));
    }

    private static HttpResponse<String> create(String body) {
        return Guests.post(server.uri("/api/guests"), body);
    }

    private static HttpResponse<String> me(Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/api/guests/me")).timeout(Guests.TIMEOUT);
        headers.forEach(request::header);
        return Guests.send(request.GET().build());
    }

    private static List<String> cookieAttributes(HttpResponse<String> response) {
        List<String> cookies = response.headers().allValues("Set-Cookie").stream()
                .filter(cookie -> cookie.startsWith(COOKIE + "="))
                .toList();
        assertThat(cookies).as("Set-Cookie %s", COOKIE).hasSize(1);
        return Arrays.stream(cookies.get(0).split(";")).map(String::trim).toList();
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as("content type")
                .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
        JsonNode problem = Guests.JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).as("title in %s", response.body()).isNotBlank();
        assertThat(problem.path("detail").asString()).as("detail in %s", response.body()).isNotBlank();
    }

    private static byte[] serverSecret() {
        return ChatServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8);
    }
}
