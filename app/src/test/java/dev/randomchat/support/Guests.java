package dev.randomchat.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
                JSON.writeValueAsString(java.util.Map.of("name", name)));
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
}
