package dev.randomchat.match;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.system.Redis;

/**
 * How a made pair reaches every server that holds one of its guests' waiting sockets. This server's
 * own events go straight into a bounded local pipeline, not round trips through Redis; other servers
 * get them on their own topics, and theirs arrive on this server's topic into the same pipeline.
 * The pipeline, not the caller that made the pair, runs the handler: a socket that closes meanwhile
 * must not cancel telling its peer. Built and started by {@link MatchService}.
 */
final class MatchedEvents {

    private static final Logger log = LoggerFactory.getLogger(MatchedEvents.class);

    /** Server events that may wait for the pipeline; a burst of matches fits, an unbounded one does not. */
    private static final int EVENT_QUEUE = 8192;
    /** Matched events handled at once; each is a few Redis round trips. */
    private static final int EVENT_CONCURRENCY = 64;

    private final Redis redis;
    private final String serverId;
    private final JsonMapper json;
    private final Function<MatchedEvent, Mono<Void>> handler;
    private final Sinks.Many<MatchedEvent> events = Sinks.many().unicast()
            .onBackpressureBuffer(Queues.<MatchedEvent>get(EVENT_QUEUE).get());
    private volatile Mono<Void> subscribed = Mono.empty();
    /** Set once Redis confirmed this server's topic: from then on a match waits for nothing here. */
    private volatile boolean listening;
    private volatile Disposable pipeline;

    MatchedEvents(Redis redis, String serverId, JsonMapper json, Function<MatchedEvent, Mono<Void>> handler) {
        this.redis = redis;
        this.serverId = serverId;
        this.json = json;
        this.handler = handler;
    }

    /** Completes once this server listens on its topic: no event for it can be missed after. */
    Mono<Void> ready() {
        return listening ? Mono.empty() : redis.within(subscribed, Redis.SUBSCRIBE_WAIT);
    }

    /** Hands the event to this server's pipeline and publishes it to the other servers named. */
    Mono<Void> deliver(MatchedEvent event, Set<String> servers) {
        Set<String> others = new LinkedHashSet<>(servers);
        others.remove(serverId);
        enqueue(event);
        if (others.isEmpty()) {
            return Mono.empty();
        }
        String payload = json.writeValueAsString(event);
        return Flux.fromIterable(others)
                .concatMap(server -> redis.publish(topicOf(server), payload))
                .then();
    }

    void start() {
        subscribed = redis.subscribe(topicOf(serverId), this::received)
                .doOnSuccess(confirmed -> listening = true)
                .cache();
        pipeline = events.asFlux()
                // Pairs are independent: tell many at once, each waiting only on its own Redis calls.
                .flatMap(event -> handler.apply(event).onErrorResume(ex -> {
                    log.warn("matched event failed: {}", ex.toString());
                    return Mono.empty();
                }), EVENT_CONCURRENCY)
                .subscribe();
    }

    void stop() {
        redis.unsubscribe(topicOf(serverId));
        if (pipeline != null) {
            pipeline.dispose();
        }
    }

    boolean isRunning() {
        return pipeline != null && !pipeline.isDisposed();
    }

    /** A matched event another server published for guests that have sockets here. */
    private void received(String payload) {
        try {
            enqueue(json.readValue(payload, MatchedEvent.class));
        }
        catch (RuntimeException ex) {
            log.warn("unreadable matched event ignored: {}", ex.getClass().getSimpleName());
        }
    }

    private synchronized void enqueue(MatchedEvent event) {
        if (events.tryEmitNext(event).isFailure()) {
            log.warn("matched event dropped: the event queue is full");
        }
    }

    private String topicOf(String server) {
        return redis.key("srv", "{" + server + "}", "events");
    }
}
