package dev.randomchat.match;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.RandomIds;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

/**
 * Pairs waiting guests across servers.
 *
 * <p>Every decision is one script ({@code match.lua}). A pair is stored before anyone is told;
 * then a {@code matched} event goes to this server's own event pipeline and to the topics of just
 * the other servers that hold the two guests' waiting sockets, and each of them tells its sockets
 * and joins them to the channel. This server leases its waiters and renews the leases while
 * their sockets live.
 *
 * <p>Longer than most files here (about 430 lines) on purpose: the waiters' leases, the match
 * script's replies and the {@code matched} events are one state machine over one map of waiters,
 * and reading it in one place is easier than following it across classes.
 */
@Service
public class MatchService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MatchService.class);

    /** A waiter not renewed for this long stops being matchable (its server died). */
    static final Duration LEASE = Duration.ofSeconds(15);
    /** Leases are renewed this often: three chances before one lapses. */
    static final String RENEW_EVERY = "5s";
    /** Server events that may wait for the pipeline; a burst of matches fits, an unbounded one does not. */
    private static final int EVENT_QUEUE = 8192;
    /** Matched events handled at once; each is a few Redis round trips. */
    private static final int EVENT_CONCURRENCY = 64;
    /** Renewals are sent in chunks of this many guests, so one script never runs long. */
    private static final int RENEW_CHUNK = 500;

    private static final LuaScript MATCH = LuaScript.load(MatchService.class, "match.lua");
    private static final LuaScript RENEW = LuaScript.load(MatchService.class, "renew.lua");
    private static final LuaScript UNWAIT = LuaScript.load(MatchService.class, "unwait.lua");

    private final Redis redis;
    private final String serverId;
    private final String serverTopic;
    private final QueueKeys keys;
    private final MatchProperties properties;
    private final ChannelProperties channelProperties;
    private final ChannelService channels;
    private final Pairings pairings;
    private final TokenService tokens;
    private final JsonMapper json;
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
    private final Sinks.Many<MatchedEvent> events = Sinks.many().unicast()
            .onBackpressureBuffer(Queues.<MatchedEvent>get(EVENT_QUEUE).get());
    private final Counter matches;
    private final Timer timeToMatch;
    private volatile Mono<Void> subscribed = Mono.empty();
    private volatile Disposable pipeline;

    MatchService(Redis redis, ServerId serverId, MatchProperties properties, ChannelProperties channelProperties,
            ChannelService channels, Pairings pairings, TokenService tokens, JsonMapper json, MeterRegistry meters) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.serverTopic = redis.key("srv", "{" + serverId.value() + "}", "events");
        this.keys = QueueKeys.of(redis);
        this.properties = properties;
        this.channelProperties = channelProperties;
        this.channels = channels;
        this.pairings = pairings;
        this.tokens = tokens;
        this.json = json;
        this.matches = Counter.builder("chat.matches").description("Pairs made").register(meters);
        this.timeToMatch = Timer.builder("chat.match.time").description("From match to matched")
                .publishPercentileHistogram().register(meters);
        Gauge.builder("chat.waiting", waiting, Map::size).description("Guests waiting on this server")
                .register(meters);
        Gauge.builder("chat.queue.length", this, service -> service.queueLength)
                .description("Guests in the shared waiting queue, as last seen").register(meters);
    }

    private volatile long queueLength;

    public Mono<Void> match(Client connection, List<String> interests) {
        Waiter waiter = waiting.computeIfAbsent(connection.guestId(), id -> new Waiter(connection.guest(), interests));
        waiter.sockets.add(connection);
        return subscribed.timeout(Redis.SUBSCRIBE_WAIT)
                .then(Mono.defer(() -> {
                    // Until match.lua answered and its answer was acted on, a lease renewal must
                    // not take the guest for "no longer waiting": before, it is not queued yet;
                    // after a "current" answer, this call is already telling its sockets.
                    waiter.inFlight.incrementAndGet();
                    return runMatch(waiter.guest, waiter.interests)
                            .flatMap(result -> handle(waiter, connection, result))
                            .doFinally(signal -> waiter.inFlight.decrementAndGet());
                }));
    }

    public Mono<Void> cancel(Client connection) {
        Waiter waiter = waiting.remove(connection.guestId());
        return redis.run(UNWAIT, keys.forUnwait(), connection.guestId(), serverId, "all")
                .then(Mono.fromRunnable(() -> {
                    connection.send(new Outbound.Cancelled());
                    if (waiter != null) {
                        waiter.sockets.stream()
                                .filter(other -> other != connection)
                                .forEach(other -> other.send(new Outbound.Cancelled()));
                    }
                }));
    }

    /** A socket closed: the guest leaves the queue when it was its last waiting socket anywhere. */
    public Mono<Void> closed(Client connection) {
        Waiter waiter = waiting.get(connection.guestId());
        if (waiter == null || !waiter.sockets.remove(connection) || !waiter.sockets.isEmpty()) {
            return Mono.empty();
        }
        return unwait(waiter);
    }

    private Mono<Void> unwait(Waiter waiter) {
        waiting.remove(waiter.guest.id(), waiter);
        return redis.run(UNWAIT, keys.forUnwait(), waiter.guest.id(), serverId, "one").then();
    }

    private Mono<String> runMatch(Guest guest, List<String> interests) {
        return redis.run(MATCH, keys.forMatch(),
                guest.id(),
                guest.name(),
                serverId,
                Long.toString(LEASE.toMillis()),
                Long.toString(properties.interestWait().toMillis()),
                json.writeValueAsString(interests),
                RandomIds.next(),
                Long.toString(channelProperties.expiration().toMillis()),
                Integer.toString(properties.maxMatchesPerDay()),
                Long.toString(QueueKeys.KEY_TTL_MS));
    }

    private Mono<Void> handle(Waiter waiter, Client connection, String reply) {
        JsonNode result = json.readTree(reply);
        switch (result.get("r").stringValue()) {
            case "waiting" -> {
                if (connection != null) {
                    connection.send(new Outbound.Waiting(Instant.ofEpochMilli(result.get("s").longValue())));
                }
                waiter.since = Instant.ofEpochMilli(result.get("s").longValue());
                // Every socket closed while the script ran: no ghost may stay behind.
                return waiter.sockets.stream().anyMatch(Client::isOpen) ? Mono.empty() : unwait(waiter);
            }
            case "limited" -> {
                forget(waiter, connection);
                return Mono.error(new FrameException(ErrorCode.RATE_LIMITED,
                        "daily match limit reached; try again tomorrow", "match"));
            }
            case "current" -> {
                JsonNode current = json.readTree(result.get("v").stringValue());
                return resume(waiter, current);
            }
            case "matched" -> {
                return made(waiter, result);
            }
            default -> {
                return Mono.error(new IllegalStateException("unexpected match result"));
            }
        }
    }

    /** The guest is already in a channel: tell its waiting sockets here, unless the channel ended. */
    private Mono<Void> resume(Waiter waiter, JsonNode current) {
        String channelId = current.get("c").stringValue();
        Outbound.Peer me = new Outbound.Peer(waiter.guest.id(), waiter.guest.name());
        Outbound.Peer peer = new Outbound.Peer(current.get("p").stringValue(), current.get("n").stringValue());
        MatchedEvent event = new MatchedEvent(channelId, me, peer, tags(current.get("ci").stringValue()));
        // Rare (another tab, a retried match): learn the channel's state before taking the waiter.
        return channels.enter(channelId, me, peer, event.commonInterests(), List.of())
                .flatMap(state -> "open".equals(state)
                        ? tell(event, List.of(me))
                        : pairings.unpair(me.id(), peer.id(), channelId, false)
                                .then(runMatch(waiter.guest, waiter.interests))
                                .flatMap(next -> handle(waiter, null, next)));
    }

    private Mono<Void> made(Waiter waiter, JsonNode result) {
        matches.increment();
        Outbound.Peer me = new Outbound.Peer(waiter.guest.id(), waiter.guest.name());
        Outbound.Peer peer = new Outbound.Peer(result.get("p").stringValue(), result.get("n").stringValue());
        MatchedEvent event = new MatchedEvent(result.get("c").stringValue(), me, peer, tags(result.get("ci").stringValue()));
        Set<String> others = new LinkedHashSet<>();
        others.addAll(tags(result.get("ms").stringValue()));
        others.addAll(tags(result.get("ps").stringValue()));
        others.remove(serverId);
        // This server holds the guest that asked: its own sockets are told through the local event
        // pipeline, not a round trip through Redis; only other servers holding either guest get it
        // published. The pipeline, not this caller, runs the telling: a socket that closes now
        // must not cancel telling its peer. Whoever tells first records the channel (enter.lua).
        enqueue(event);
        if (others.isEmpty()) {
            return Mono.empty();
        }
        String payload = json.writeValueAsString(event);
        return Flux.fromIterable(others)
                .concatMap(server -> redis.publish(topicOf(server), payload))
                .then();
    }

    /**
     * Tells every waiting socket here of these guests of the event, and joins them to its channel
     * in one step; a guest with no waiting socket here is skipped.
     */
    private Mono<Void> tell(MatchedEvent event, List<Outbound.Peer> guests) {
        List<ChannelService.Arrival> arrivals = new ArrayList<>(2);
        Instant now = Instant.now();
        for (Outbound.Peer guest : guests) {
            Waiter waiter = waiting.remove(guest.id());
            if (waiter == null) {
                continue;
            }
            timeToMatch.record(Duration.between(waiter.since, now));
            Outbound.Peer peer = guest.id().equals(event.a().id()) ? event.b() : event.a();
            List<Client> sockets = waiter.sockets.stream().filter(Client::isOpen).toList();
            if (sockets.isEmpty()) {
                continue;
            }
            var matched = new Outbound.Matched(event.channelId(), tokens.issueChannel(guest.id(), event.channelId()).token(),
                    peer, event.commonInterests());
            sockets.forEach(socket -> arrivals.add(new ChannelService.Arrival(socket, () -> socket.send(matched))));
        }
        if (arrivals.isEmpty()) {
            return Mono.empty();
        }
        return channels.enter(event.channelId(), event.a(), event.b(), event.commonInterests(), arrivals)
                .doOnNext(state -> {
                    if (!"open".equals(state)) {
                        log.warn("channel {} ended before its guests here were told", event.channelId());
                    }
                })
                .onErrorResume(ex -> Mono.fromRunnable(() -> log.warn("could not attach guests to channel {}: {}",
                        event.channelId(), ex.toString())))
                .then();
    }

    /** Tells both guests' waiting sockets on this server, if any. */
    private Mono<Void> onEvent(MatchedEvent event) {
        return tell(event, List.of(event.a(), event.b()));
    }

    /** Renews this server's leases; guests that stopped waiting elsewhere are told here. */
    @Scheduled(fixedDelayString = RENEW_EVERY)
    Mono<Void> renewLeases() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(this::renewLeasesNow);
    }

    private Mono<Void> renewLeasesNow() {
        List<String> guests = new ArrayList<>(waiting.keySet());
        Mono<Long> length = Mono.defer(() -> redis.commands().zcard(keys.queue())).doOnNext(n -> queueLength = n);
        return Flux.range(0, (guests.size() + RENEW_CHUNK - 1) / RENEW_CHUNK)
                .map(i -> guests.subList(i * RENEW_CHUNK, Math.min(guests.size(), (i + 1) * RENEW_CHUNK)))
                .concatMap(chunk -> {
                    List<String> args = new ArrayList<>(List.of(serverId, Long.toString(LEASE.toMillis()),
                            Long.toString(QueueKeys.KEY_TTL_MS)));
                    args.addAll(chunk);
                    return redis.run(RENEW, keys.forRenew(), args.toArray(String[]::new));
                })
                .flatMapIterable(MatchService::tags)
                .concatMap(this::noLongerWaiting)
                .then(length)
                .then()
                .onErrorResume(ex -> {
                    log.warn("lease renewal failed: {}", ex.toString());
                    return Mono.empty();
                });
    }

    /** Guests with interests whose wait ran out try again, now open to anyone. */
    @Scheduled(fixedDelayString = "500ms")
    Mono<Void> retryInterests() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(this::retryInterestsNow);
    }

    private Mono<Void> retryInterestsNow() {
        Instant now = Instant.now();
        return Flux.fromIterable(new ArrayList<>(waiting.values()))
                .filter(waiter -> !waiter.interests.isEmpty() && !waiter.retried && waiter.since != null
                        && !waiter.since.plus(properties.interestWait()).isAfter(now))
                .concatMap(waiter -> {
                    waiter.retried = true;
                    return runMatch(waiter.guest, waiter.interests)
                            .flatMap(result -> handle(waiter, null, result))
                            .onErrorResume(ex -> Mono.empty());
                })
                .then();
    }

    private Mono<Void> noLongerWaiting(String guestId) {
        Waiter waiter = waiting.get(guestId);
        if (waiter == null || waiter.inFlight.get() > 0) {
            return Mono.empty();
        }
        return redis.commands().hget(keys.current(), guestId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(current -> current.isPresent()
                        ? resume(waiter, json.readTree(current.get()))
                        : cancelUnlessQueued(guestId, waiter));
    }

    /** Neither paired nor waiting: tell the sockets, unless a match ran since the renewal looked. */
    private Mono<Void> cancelUnlessQueued(String guestId, Waiter waiter) {
        return redis.commands().hexists(keys.waiters(), guestId)
                .flatMap(queued -> Mono.fromRunnable(() -> {
                    if (!queued && waiter.inFlight.get() == 0 && waiting.remove(guestId, waiter)) {
                        waiter.sockets.forEach(socket -> socket.send(new Outbound.Cancelled()));
                    }
                }));
    }

    private void forget(Waiter waiter, Client connection) {
        waiter.sockets.remove(connection);
        if (waiter.sockets.isEmpty()) {
            waiting.remove(waiter.guest.id(), waiter);
        }
    }

    private String topicOf(String server) {
        return redis.key("srv", "{" + server + "}", "events");
    }

    private static List<String> tags(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    @Override
    public void start() {
        subscribed = redis.subscribe(serverTopic, this::received).cache();
        pipeline = events.asFlux()
                // Pairs are independent: tell many at once, each waiting only on its own Redis calls.
                .flatMap(event -> onEvent(event).onErrorResume(ex -> {
                    log.warn("matched event failed: {}", ex.toString());
                    return Mono.empty();
                }), EVENT_CONCURRENCY)
                .subscribe();
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

    @Override
    public void stop() {
        redis.unsubscribe(serverTopic);
        if (pipeline != null) {
            pipeline.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return pipeline != null && !pipeline.isDisposed();
    }

    /** A guest with waiting sockets on this server. */
    private static final class Waiter {

        private final Guest guest;
        private final List<String> interests;
        private final Set<Client> sockets = ConcurrentHashMap.newKeySet();
        private volatile Instant since = Instant.now();
        private volatile boolean retried;
        /** match() calls for this guest whose script has not answered or whose answer is being acted on. */
        private final AtomicInteger inFlight = new AtomicInteger();

        private Waiter(Guest guest, List<String> interests) {
            this.guest = guest;
            this.interests = interests;
        }
    }

    record MatchedEvent(String channelId, Outbound.Peer a, Outbound.Peer b, List<String> commonInterests) {
    }
}
