package dev.randomchat.bench.infra;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Guests and sockets in bulk, the way a crowd of browsers would make them. */
public final class Clients {

    /** Requests or upgrades in flight at once: enough to keep a 2-core server busy, no more. */
    private static final int CONCURRENCY = 64;
    /** Loopback addresses the sockets are spread over, so client ports never run out (TIME_WAIT). */
    private static final int LOOPBACK_ADDRESSES = 16;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient API = HttpClient.create(ConnectionProvider.builder("bench-api")
                    .maxConnections(CONCURRENCY)
                    .pendingAcquireMaxCount(-1)
                    .build())
            .headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"));

    private Clients() {
    }

    /** A guest made with {@code POST /api/guests}. */
    public record Guest(String id, String token) {
    }

    public static List<Guest> guests(String baseUrl, int count) {
        return Flux.range(0, count)
                .flatMap(i -> guest(baseUrl, "bench" + i), CONCURRENCY)
                .collectList()
                .block(WAIT);
    }

    private static Mono<Guest> guest(String baseUrl, String name) {
        return API.post()
                .uri(baseUrl + "/api/guests")
                .send(ByteBufFlux.fromString(Mono.just("{\"name\":\"" + name + "\"}")))
                .responseSingle((response, body) -> {
                    if (response.status().code() != 201) {
                        return Mono.error(new IllegalStateException("POST /api/guests answered " + response.status()));
                    }
                    return body.asString();
                })
                .map(body -> {
                    JsonNode guest = JSON.readTree(body);
                    return new Guest(guest.get("id").stringValue(), guest.get("token").stringValue());
                });
    }

    /** The websocket URI of a server port, the {@code i}-th socket spread over loopback addresses. */
    public static String wsUri(int port, int i, String path) {
        return "ws://127.0.0." + (1 + i % LOOPBACK_ADDRESSES) + ":" + port + path;
    }

    /**
     * Opens {@code count} sockets; {@code uri} and {@code token} say where and as whom the i-th one
     * connects. Returns once every socket got its first frame (hello), or fails.
     */
    public static List<Ws> connect(int count, IntFunction<String> uri, IntFunction<String> token, boolean awaitFirst) {
        return Flux.range(0, count)
                .flatMapSequential(i -> Ws.connect(uri.apply(i), token.apply(i))
                        .flatMap(ws -> awaitFirst
                                ? Mono.fromFuture(ws.firstFrame()).thenReturn(ws)
                                : Mono.just(ws)), CONCURRENCY)
                .collectList()
                .block(WAIT);
    }

    /** Closes every socket and waits (bounded) until each connection is gone. */
    public static void closeAll(List<Ws> sockets) {
        sockets.forEach(Ws::close);
        CompletableFuture<?>[] all = sockets.stream().map(Ws::closed).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            sockets.forEach(ws -> {
                if (ws.channel() != null) {
                    ws.channel().close();
                }
            });
        }
    }
}
