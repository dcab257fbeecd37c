package dev.randomchat.bench.infra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;

import dev.randomchat.system.SharedEventLoops;

/**
 * The least a server can do to pair visitors through Redis, for the matching rows' second
 * reference: at {@code /pair} a socket gets a {@code hello} frame; its {@code match} frame runs one
 * script that takes a waiter off a list or puts the visitor on it; a visitor put on it gets
 * {@code waiting}, and a pair made sends {@code matched} to both sockets (all of them on this
 * server). Lettuce runs on the sockets' event loops through the chat server's own
 * {@link SharedEventLoops}. Nothing else: no token, no channel record, no subscription, no
 * presence, no limits. What the chat server costs per pair above this is its own work; what this
 * costs is what any server on this JVM, Netty and Lettuce pays on this machine to pair two visitors.
 * A waiter whose socket closes stays on the list (the bench's steps end with every visitor paired);
 * a socket's {@code hello} is emitted before its {@code match} can arrive, and every later frame
 * on the one Redis connection's loop, so no sink ever has two emitters at once.
 */
final class PairingRoute {

    private static final String PAIR = "local w = redis.call('LPOP', KEYS[1]) "
            + "if w then return w end redis.call('RPUSH', KEYS[1], ARGV[1]) return false";
    private static final String HELLO = "{\"type\":\"hello\"}";
    private static final String WAITING = "{\"type\":\"waiting\"}";

    private final StatefulRedisConnection<String, String> redis;
    private final String pairSha;
    private final String queue = "bench:pairing:" + System.nanoTime();
    private final Map<String, Sinks.Many<String>> sockets = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    PairingRoute(int redisPort, LoopResources loops) {
        EventLoopGroup group = loops.onServer(true);
        ClientResources resources = DefaultClientResources.builder()
                .eventLoopGroupProvider(new SharedEventLoops(group))
                .build();
        this.redis = RedisClient.create(resources, RedisURI.create("127.0.0.1", redisPort)).connect();
        this.pairSha = redis.sync().scriptLoad(PAIR);
    }

    HttpServerRoutes addTo(HttpServerRoutes routes, WebsocketServerSpec spec) {
        return routes.ws("/pair", (in, out) -> {
            String id = Long.toString(ids.incrementAndGet());
            Sinks.Many<String> frames = Sinks.many().unicast().onBackpressureBuffer();
            sockets.put(id, frames);
            frames.tryEmitNext(HELLO);
            Mono<Void> inbound = in.receive().asString()
                    .doOnNext(text -> {
                        if (text.contains("\"match\"")) {
                            match(id, frames);
                        }
                    })
                    .then();
            return out.sendString(frames.asFlux()).then()
                    .and(inbound.doFinally(signal -> {
                        sockets.remove(id);
                        frames.tryEmitComplete();
                    }));
        }, spec);
    }

    private void match(String id, Sinks.Many<String> frames) {
        redis.async().<String>evalsha(pairSha, ScriptOutputType.VALUE, new String[] {queue}, id)
                .thenAccept(waiter -> {
                    if (waiter == null) {
                        frames.tryEmitNext(WAITING);
                        return;
                    }
                    Sinks.Many<String> other = sockets.get(waiter);
                    if (other != null) {
                        other.tryEmitNext(matched(id));
                    }
                    frames.tryEmitNext(matched(waiter));
                });
    }

    private static String matched(String peer) {
        return "{\"type\":\"matched\",\"peer\":\"" + peer + "\"}";
    }
}
