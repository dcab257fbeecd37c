package dev.randomchat.hardening;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browser-facing defences with default settings: security headers on every kind of response, the
 * guest cookie's attributes, the websocket Origin check, and forwarded headers believed only from
 * trusted proxies.
 */
class SecurityHeadersIntegrationTests {

    private static final String COOKIE = "rc_guest";
    private static final String FOREIGN = "https://evil.example";

    /** Default settings: loopback is a trusted proxy. */
    private static ChatServer server;
    /** Trusts only 10.0.0.0/8, so a loopback client is an untrusted one. */
    private static ChatServer untrusting;

    @BeforeAll
    static void startServers() {
        server = ChatServer.start(Map.of());
        untrusting = ChatServer.start(Map.of("TRUSTED_PROXIES", "10.0.0.0/8"));
    }

    @AfterAll
    static void stopServers() {
        if (server != null) {
            server.close();
        }
        if (untrusting != null) {
            untrusting.close();
        }
    }

    @Test
    void everyKindOfResponseCarriesTheSecurityHeaders() {
        String token = Guests.create(server.baseUrl(), "Ada").path("token").asString();
        Map<String, RawHttp.Response> responses = new LinkedHashMap<>();
        responses.put("page", get("/"));
        responses.put("created guest", createGuest(server, "{\"name\":\"Ada\"}", Map.of()));
        responses.put("400", createGuest(server, "{\"name\":\"\"}", Map.of()));
        responses.put("401", get("/api/guests/me"));
        responses.put("404", get("/no/such/page"));
        responses.put("health", get("/actuator/health"));
        responses.put("refused upgrade", RawHttp.request("GET", "/ws").header("Upgrade", "websocket")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").header("Sec-WebSocket-Version", "13")
                .header("Authorization", "Bearer " + token).header("Origin", FOREIGN).send(server.port()));

        assertThat(responses.get("page").status()).isEqualTo(200);
        assertThat(responses.get("created guest").status()).isEqualTo(201);
        assertThat(responses.get("400").status()).isEqualTo(400);
        assertThat(responses.get("401").status()).isEqualTo(401);
        assertThat(responses.get("404").status()).isEqualTo(404);
        assertThat(responses.get("health").status()).isEqualTo(200);
        assertThat(responses.get("refused upgrade").status()).isEqualTo(403);
        responses.forEach((what, response) -> {
            Map<String, String> csp = directives(response.header("Content-Security-Policy"));
            assertThat(csp).as("CSP of the %s", what).containsEntry("frame-ancestors", "'none'");
            String scripts = csp.getOrDefault("script-src", csp.get("default-src"));
            assertThat(scripts).as("script sources of the %s", what).isNotNull()
                    .doesNotContain("'unsafe-inline'")
                    .doesNotContain("'unsafe-eval'")
                    .doesNotContain("*")
                    .doesNotContain("data:");
            assertThat(response.header("X-Content-Type-Options")).as("nosniff on the %s", what).isEqualTo("nosniff");
            assertThat(response.header("Referrer-Policy")).as("referrer policy of the %s", what).isNotBlank();
        });
    }

    @Test
    void setsAnHttpOnlyLaxCookieThatIsSecureOnlyOverHttps() {
        List<String> plain = cookie(createGuest(server, "{\"name\":\"Ada\"}", Map.of()));
        List<String> proxied = cookie(createGuest(server, "{\"name\":\"Ada\"}", Map.of("X-Forwarded-Proto", "https")));
        List<String> forwarded = cookie(createGuest(server, "{\"name\":\"Ada\"}", Map.of("Forwarded", "proto=https")));

        for (List<String> attributes : List.of(plain, proxied, forwarded)) {
            assertThat(attributes).contains("HttpOnly", "SameSite=Lax", "Path=/");
        }
        assertThat(plain).noneMatch("Secure"::equalsIgnoreCase);
        assertThat(proxied).as("behind a trusted proxy that says https").contains("Secure");
        assertThat(forwarded).as("behind a trusted proxy that says https (RFC 7239)").contains("Secure");
    }

    @Test
    void ignoresForwardedHttpsFromAClientThatIsNotATrustedProxy() {
        List<String> proxied = cookie(createGuest(untrusting, "{\"name\":\"Ada\"}", Map.of("X-Forwarded-Proto", "https")));
        List<String> forwarded = cookie(createGuest(untrusting, "{\"name\":\"Ada\"}", Map.of("Forwarded", "proto=https")));

        for (List<String> attributes : List.of(proxied, forwarded)) {
            assertThat(attributes).contains("HttpOnly", "SameSite=Lax", "Path=/");
            assertThat(attributes).noneMatch("Secure"::equalsIgnoreCase);
        }
    }

    /** Over HTTPS served directly, see {@code TlsIntegrationTests}. */
    @Test
    void sendsStrictTransportSecurityOnlyWhenTheRequestCameOverHttps() {
        RawHttp.Response plain = createGuest(server, "{\"name\":\"Ada\"}", Map.of());
        RawHttp.Response proxied = createGuest(server, "{\"name\":\"Ada\"}", Map.of("X-Forwarded-Proto", "https"));
        RawHttp.Response forwarded = createGuest(server, "{\"name\":\"Ada\"}", Map.of("Forwarded", "proto=https"));
        RawHttp.Response spoofed = createGuest(untrusting, "{\"name\":\"Ada\"}", Map.of("X-Forwarded-Proto", "https"));

        assertThat(plain.header("Strict-Transport-Security")).as("plain HTTP").isNull();
        assertThat(get("/").header("Strict-Transport-Security")).as("the page over plain HTTP").isNull();
        assertThat(proxied.header("Strict-Transport-Security")).as("https behind a trusted proxy")
                .startsWith("max-age=").doesNotContain("max-age=0");
        assertThat(forwarded.header("Strict-Transport-Security")).as("RFC 7239 from a trusted proxy").isNotNull();
        assertThat(spoofed.header("Strict-Transport-Security")).as("https claimed by an untrusted client").isNull();
    }

    @Test
    void checksTheOriginOfUpgradesByDefault() {
        String token = Guests.create(server.baseUrl(), "Ada").path("token").asString();

        assertThat(upgrade(server, token, Map.of("Origin", FOREIGN))).isEqualTo(403);
        assertThat(upgrade(server, token, Map.of("Origin", "null"))).isEqualTo(403);
        assertThat(upgrade(server, token, Map.of("Origin", server.baseUrl() + ".evil.example"))).isEqualTo(403);
        assertThat(upgrade(server, token, Map.of("Origin", server.baseUrl()))).isEqualTo(-1);
    }

    @Test
    void forgedForwardedHostFromAnUntrustedClientCannotMakeAForeignOriginItsOwn() {
        String token = Guests.create(untrusting.baseUrl(), "Ada").path("token").asString();
        List<Map<String, String>> forgeries = List.of(
                Map.of("X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"),
                Map.of("X-Forwarded-Host", "evil.example:443", "X-Forwarded-Proto", "https", "X-Forwarded-Port", "443"),
                Map.of("Forwarded", "host=evil.example;proto=https"),
                Map.of("Forwarded", "for=10.1.2.3;host=evil.example;proto=https", "X-Forwarded-Host", "evil.example"));

        for (Map<String, String> forged : forgeries) {
            Map<String, String> headers = new LinkedHashMap<>(forged);
            headers.put("Origin", FOREIGN);
            assertThat(upgrade(untrusting, token, headers)).as("foreign Origin with %s", forged).isEqualTo(403);
            headers.put("Origin", untrusting.baseUrl());
            assertThat(upgrade(untrusting, token, headers)).as("own Origin with %s", forged).isEqualTo(-1);
        }
        // The same headers from a trusted proxy are believed: that is what makes the test above meaningful.
        String trustedToken = Guests.create(server.baseUrl(), "Bob").path("token").asString();
        assertThat(upgrade(server, trustedToken, Map.of("X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
                "Origin", FOREIGN))).isEqualTo(-1);
    }

    private static int upgrade(ChatServer target, String token, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Authorization", "Bearer " + token);
        return WsClient.upgradeStatus(target.wsUri(), all);
    }

    private static RawHttp.Response get(String path) {
        return RawHttp.request("GET", path).send(server.port());
    }

    private static RawHttp.Response createGuest(ChatServer target, String json, Map<String, String> headers) {
        RawHttp request = RawHttp.request("POST", "/api/guests").body("application/json", json);
        headers.forEach(request::header);
        return request.send(target.port());
    }

    /** The attributes of the one {@code rc_guest} cookie set, the first being {@code name=value}. */
    private static List<String> cookie(RawHttp.Response response) {
        assertThat(response.status()).as("body %s", response.body()).isEqualTo(201);
        List<String> cookies = response.all("Set-Cookie").stream().filter(c -> c.startsWith(COOKIE + "=")).toList();
        assertThat(cookies).as("Set-Cookie %s", COOKIE).hasSize(1);
        return Arrays.stream(cookies.get(0).split(";")).map(String::trim).toList();
    }

    /** A CSP header as directive name -> sources; empty when the header is missing. */
    private static Map<String, String> directives(String policy) {
        Map<String, String> directives = new LinkedHashMap<>();
        if (policy == null) {
            return directives;
        }
        for (String directive : policy.split(";")) {
            String[] parts = directive.trim().split("\\s+", 2);
            if (!parts[0].isEmpty()) {
                directives.put(parts[0].toLowerCase(Locale.ROOT), parts.length > 1 ? parts[1].trim() : "");
            }
        }
        return directives;
    }
}
