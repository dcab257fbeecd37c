package dev.randomchat.bench.infra;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;

/**
 * One client websocket on its own (unpooled) connection. Frames are written straight to the Netty
 * channel from any thread; text frames received are handed, on the event loop, to the current
 * {@link #onText handler} (the hot path) after any {@link #expect expectation} they satisfy.
 */
public final class Ws {

    /** The pooled client gives up past ~1,000 pending connections; a load generator needs none of it. */
    private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection())
            .responseTimeout(Duration.ofSeconds(30));
    private static final WebsocketClientSpec SPEC = WebsocketClientSpec.builder()
            .maxFramePayloadLength(65536)
            .build();

    private volatile Channel channel;
    private volatile Consumer<String> onText = text -> { };
    private final List<Expectation> expectations = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final CompletableFuture<String> first = new CompletableFuture<>();

    private Ws() {
    }

    private record Expectation(Predicate<String> test, CompletableFuture<String> result) {
    }

    /** Connects to {@code uri}, with a guest's bearer token when {@code token} is not null. */
    public static Mono<Ws> connect(String uri, String token) {
        Ws ws = new Ws();
        Sinks.One<Ws> ready = Sinks.one();
        CLIENT.headers(headers -> {
                    if (token != null) {
                        headers.set("Authorization", "Bearer " + token);
                    }
                })
                .websocket(SPEC)
                .uri(uri)
                .handle((in, out) -> {
                    in.withConnection(connection -> ws.channel = connection.channel());
                    ready.tryEmitValue(ws);
                    return in.aggregateFrames(65536)
                            .receiveFrames()
                            .doOnNext(ws::received)
                            .then();
                })
                .subscribe(ignored -> { }, error -> {
                    ready.tryEmitError(error);
                    ws.closed.complete(null);
                }, () -> {
                    ready.tryEmitError(new IllegalStateException("closed before the upgrade"));
                    ws.closed.complete(null);
                });
        return ready.asMono();
    }

    /** The first frame the server sent ({@code hello} on the chat server). */
    public CompletableFuture<String> firstFrame() {
        return first;
    }

    public void onText(Consumer<String> handler) {
        this.onText = handler;
    }

    /** Completes with the next text frame that passes {@code test}. */
    public CompletableFuture<String> expect(Predicate<String> test) {
        CompletableFuture<String> result = new CompletableFuture<>();
        expectations.add(new Expectation(test, result));
        return result;
    }

    public void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    /** Writes several frames with one flush, on the channel's own event loop. */
    public void sendAll(List<String> texts) {
        Channel current = channel;
        current.eventLoop().execute(() -> {
            for (String text : texts) {
                current.write(new TextWebSocketFrame(text));
            }
            current.flush();
        });
    }

    public Channel channel() {
        return channel;
    }

    public boolean isOpen() {
        return !closed.isDone() && channel != null && channel.isActive();
    }

    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** A normal close (1000); the TCP connection goes when the server answers. */
    public void close() {
        Channel current = channel;
        if (current != null && current.isActive()) {
            current.writeAndFlush(new CloseWebSocketFrame(1000, "bye"))
                    .addListener(done -> current.close());
        }
    }

    private void received(WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame textFrame)) {
            return;
        }
        String text = textFrame.text();
        if (!first.isDone()) {
            first.complete(text);
        }
        if (!expectations.isEmpty()) {
            for (Expectation expectation : expectations) {
                if (expectation.test().test(text) && expectations.remove(expectation)) {
                    expectation.result().complete(text);
                }
            }
        }
        onText.accept(text);
    }
}
