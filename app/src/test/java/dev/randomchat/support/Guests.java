package dev.randomchat.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;

/** Creates guests over real HTTP, as a browser would. */
public final class Guests {

    /** Generous: a request answered in milliseconds on a quiet machine can take seconds on a loaded CI one. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private Guests() {
    }

    /** A new guest's {@code {id, name, token, expiresAt}}. */
    public static JsonNode create(String baseUrl, String name) {
        HttpResponse<String> response = post(URI.create(baseUrl + "/api/guests"),
                JSON.writeValueAsString(Map.of("name", name)));
        if (response.statusCode() != 201) {
            throw new IllegalStateException("guest creation answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static HttpResponse<String> post(URI uri, String json) {
        return send(HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * {@code POST /api/guests} for "Eve" on a raw connection of its own from {@code local} (any
     * address of 127.0.0.0/8), with these extra headers: a client as a hostile one or a proxy sends it.
     */
    public static RawHttp.Response createRaw(int port, InetAddress local, Map<String, String> headers) {
        RawHttp request = RawHttp.request("POST", "/api/guests")
                .from(local)
                .body("application/json", "{\"name\":\"Eve\"}");
        headers.forEach(request::header);
        return request.send(port);
    }

    /**
     * A token for this guest signed with the test servers' key ({@link ChatServer#JWT_SECRET}),
     * made here rather than by a server, so that no guest creation is counted for it.
     */
    public static String mintedToken(String id, String name) {
        TokenService tokens = new TokenService(ChatServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8),
                Duration.ofHours(1), Clock.systemUTC());
        return tokens.issueGuest(new Guest(id, name)).token();
    }
}
