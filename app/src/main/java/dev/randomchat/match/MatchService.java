package dev.randomchat.match;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.Waiters.Waiter;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.system.RandomIds;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

/**
 * Pairs waiting guests across servers: the {@code match}, {@code cancel} and close commands, and
 * acting on the match script's answers.
 *
 * <p>Every decision is one script ({@code match.lua}). A pair is stored before anyone is told;
 * then a {@code matched} event goes to every server that holds one of the two guests' waiting
 * sockets ({@link MatchedEvents}), and each of them tells its sockets and joins them to the
 * channel. The guests waiting here are kept in {@link Waiters}; their leases are
 * renewed, and interest waits retried, by {@link WaitingTicker}.
 */
@Service
public class MatchService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MatchService.class);

    /** A waiter not renewed for this long stops being matchable (its server died). */
    static final Duration LEASE = Duration.ofSeconds(15);

    private static final LuaScript MATCH = LuaScript.load(MatchService.class, "match.lua");
    private static final LuaScript UNWAIT = LuaScript.load(MatchService.class, "unwait.lua");

    private final Redis redis;
    private final String serverId;
    private final QueueKeys keys;
    private final MatchProperties properties;
    private final ChannelProperties channelProperties;
    private final ChannelService channels;
    private final Pairings pairings;
    private final TokenService tokens;
    private final JsonMapper json;
    private final Waiters waiting;
    private final MatchedEvents events;
    private final Counter matches;
    private final Timer timeToMatch;

    MatchService(Redis redis, ServerId serverId, MatchProperties properties, ChannelProperties channelProperties,
            ChannelService channels, Pairings pairings, TokenService tokens, JsonMapper json, Waiters waiting,
            MeterRegistry meters) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.keys = QueueKeys.of(redis);
        this.properties = properties;
        this.channelProperties = channelProperties;
        this.channels = channels;
        this.pairings = pairings;
        this.tokens = tokens;
        this.json = json;
        this.waiting = waiting;
        this.events = new MatchedEvents(redis, this.serverId, json, this::onEvent);
        this.matches = Counter.builder("chat.matches").description("Pairs made").register(meters);
        this.timeToMatch = Timer.builder("chat.match.time").description("From match to matched")
                .publishPercentileHistogram().register(meters);
    }

    /**
     * The limit of {@code join} and {@code match} frames per guest and minute, its counters in the
     * queue's slot: a {@code match} frame is counted by the match script itself, in the same step.
     */
    public MinuteLimit joinsLimit(int perMinute) {
        return MinuteLimit.inSlot(redis, QueueKeys.SLOT, "joins", perMinute);
    }

    /** A {@code match} frame, counted against {@code joins} (made by {@link #joinsLimit}). */
    public Mono<Void> match(Client connection, List<String> interests, MinuteLimit joins) {
        boolean socketWaitedAlready = waiting.isWaiting(connection);
        Waiter waiter = waiting.join(connection, interests);
        return events.ready()
                .then(Mono.defer(() -> {
                    // Until match.lua answered and its answer was acted on, a lease renewal must
                    // not take the guest for "no longer waiting": before, it is not queued yet;
                    // after a "current" answer, this call is already telling its sockets.
                    waiter.inFlight.incrementAndGet();
                    return runMatch(waiter.guest, waiter.interests, joins)
                            .flatMap(result -> handle(waiter, connection, result, socketWaitedAlready))
                            .doFinally(signal -> waiter.inFlight.decrementAndGet());
                }));
    }

    public Mono<Void> cancel(Client connection) {
        Waiter waiter = waiting.take(connection.guestId());
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
        Waiter waiter = waiting.lastSocketClosed(connection);
        return waiter == null ? Mono.empty() : unwait(waiter);
    }

    /** One more match for a guest still waiting, answered to its waiting sockets only. */
    Mono<Void> retry(Waiter waiter) {
        return rerun(waiter, null, true);
    }

    /** match.lua once more, uncounted, its answer acted on as a {@code match} frame's would be. */
    private Mono<Void> rerun(Waiter waiter, Client connection, boolean socketWaitedAlready) {
        return runMatch(waiter.guest, waiter.interests, null)
                .flatMap(result -> handle(waiter, connection, result, socketWaitedAlready));
    }

    /**
     * A guest with interests gets one more match, open to anyone, when its interest wait (counted
     * from when it began waiting, here or elsewhere) runs out: a timer per such waiter, set once,
     * rather than a look at every waiter twice a second, which kept a thread waking on an idle
     * server. A timer that finds the guest gone, paired or already retried does nothing.
     */
    private void retryWhenInterestWaitEnds(Waiter waiter) {
        if (waiter.interests.isEmpty() || waiter.retried || !waiter.retryTimerSet.compareAndSet(false, true)) {
            return;
        }
        Mono.delay(untilInterestWaitEnds(waiter))
                .then(Mono.defer(() -> {
                    waiter.retryTimerSet.set(false);
                    if (waiting.get(waiter.guest.id()) != waiter || waiter.retried) {
                        return Mono.empty();
                    }
                    if (!untilInterestWaitEnds(waiter).isZero()) {
                        // It began waiting later than first seen (a newer answer moved it): wait on.
                        retryWhenInterestWaitEnds(waiter);
                        return Mono.empty();
                    }
                    waiter.retried = true;
                    return retry(waiter);
                }))
                .onErrorResume(ex -> {
                    log.debug("interest-wait retry failed: {}", ex.toString());
                    return Mono.empty();
                })
                .subscribe();
    }

    private Duration untilInterestWaitEnds(Waiter waiter) {
        Duration left = Duration.between(Instant.now(), waiter.since.plus(properties.interestWait()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Mono<Void> unwait(Waiter waiter) {
        waiting.remove(waiter);
        return redis.run(UNWAIT, keys.forUnwait(), waiter.guest.id(), serverId, "one").then();
    }

    /** One match.lua run; counted against {@code joins} unless it is null (a retry). */
    private Mono<String> runMatch(Guest guest, List<String> interests, MinuteLimit joins) {
        // A retry counts nothing, and the script never touches its ninth key: any key of the slot will do.
        String counter = joins != null ? joins.counter(guest.id()) : keys.ticket();
        return redis.run(MATCH, keys.forMatch(counter),
                guest.id(),
                guest.name(),
                serverId,
                Long.toString(LEASE.toMillis()),
                Long.toString(properties.interestWait().toMillis()),
                json.writeValueAsString(interests),
                RandomIds.next(),
                Long.toString(channelProperties.expiration().toMillis()),
                Integer.toString(properties.maxMatchesPerDay()),
                Long.toString(QueueKeys.KEY_TTL_MS),
                Integer.toString(joins != null ? joins.perMinute() : 0),
                MinuteLimit.COUNTER_SECONDS);
    }

    /**
     * Acts on match.lua's answer; {@code socketWaitedAlready}: the socket was waiting before this
     * call, so a refusal leaves it waiting.
     */
    private Mono<Void> handle(Waiter waiter, Client connection, String reply, boolean socketWaitedAlready) {
        JsonNode result = json.readTree(reply);
        switch (result.get("r").stringValue()) {
            case "waiting" -> {
                if (connection != null) {
                    connection.send(new Outbound.Waiting(Instant.ofEpochMilli(result.get("s").longValue())));
                }
                waiter.since = Instant.ofEpochMilli(result.get("s").longValue());
                retryWhenInterestWaitEnds(waiter);
                // Every socket closed while the script ran: no ghost may stay behind.
                return waiter.sockets.stream().anyMatch(Client::isOpen) ? Mono.empty() : unwait(waiter);
            }
            case "busy" -> {
                if (!socketWaitedAlready) {
                    waiting.forget(waiter, connection);
                }
                return Mono.error(new FrameException(ErrorCode.RATE_LIMITED,
                        "too many joins and matches; wait a minute", "match"));
            }
            case "limited" -> {
                waiting.forget(waiter, connection);
                return Mono.error(new FrameException(ErrorCode.RATE_LIMITED,
                        "daily match limit reached; try again tomorrow", "match"));
            }
            case "current" -> {
                return resume(waiter, connection, result.get("v").stringValue(), socketWaitedAlready);
            }
            case "matched" -> {
                return made(waiter, result);
            }
            default -> {
                return Mono.error(new IllegalStateException("unexpected match result"));
            }
        }
    }

    /**
     * The guest is already in a channel ({@code current}, as {@code match.lua} stores it): tell its
     * waiting sockets here, unless the channel ended. Then the pair is freed and the match run
     * again (uncounted), its answer going to {@code connection} as the first run's would have: the
     * channel's end reaches the guest's sockets before its pair is freed, so a {@code match} sent
     * at once on {@code ended} can find the pair still recorded. Null {@code connection}: the
     * guest was already told it waits (a lease renewal found the pair).
     */
    Mono<Void> resume(Waiter waiter, Client connection, String currentJson, boolean socketWaitedAlready) {
        JsonNode current = json.readTree(currentJson);
        String channelId = current.get("c").stringValue();
        Outbound.Peer me = new Outbound.Peer(waiter.guest.id(), waiter.guest.name());
        Outbound.Peer peer = new Outbound.Peer(current.get("p").stringValue(), current.get("n").stringValue());
        MatchedEvent event = new MatchedEvent(channelId, me, peer, tags(current.get("ci").stringValue()));
        // Rare (another tab, a retried match): learn the channel's state before taking the waiter.
        return channels.enter(channelId, me, peer, event.commonInterests(), List.of())
                .flatMap(state -> "open".equals(state)
                        ? tell(event, List.of(me))
                        : pairings.unpair(me.id(), peer.id(), channelId, false)
                                .then(rerun(waiter, connection, socketWaitedAlready)));
    }

    private Mono<Void> made(Waiter waiter, JsonNode result) {
        matches.increment();
        Outbound.Peer me = new Outbound.Peer(waiter.guest.id(), waiter.guest.name());
        Outbound.Peer peer = new Outbound.Peer(result.get("p").stringValue(), result.get("n").stringValue());
        MatchedEvent event = new MatchedEvent(result.get("c").stringValue(), me, peer, tags(result.get("ci").stringValue()));
        Set<String> servers = new LinkedHashSet<>();
        servers.addAll(tags(result.get("ms").stringValue()));
        servers.addAll(tags(result.get("ps").stringValue()));
        // Whoever tells first records the channel (enter.lua).
        return events.deliver(event, servers);
    }

    /**
     * Tells every waiting socket here of these guests of the event, and joins them to its channel
     * in one step; a guest with no waiting socket here is skipped.
     */
    private Mono<Void> tell(MatchedEvent event, List<Outbound.Peer> guests) {
        List<ChannelService.Arrival> arrivals = new ArrayList<>(2);
        Instant now = Instant.now();
        for (Outbound.Peer guest : guests) {
            Waiter waiter = waiting.take(guest.id());
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

    /** Comma-joined ids in a script's reply, as a list. */
    static List<String> tags(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    @Override
    public void start() {
        events.start();
    }

    @Override
    public void stop() {
        events.stop();
    }

    @Override
    public boolean isRunning() {
        return events.isRunning();
    }
}
