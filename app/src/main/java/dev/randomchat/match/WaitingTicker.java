package dev.randomchat.match;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.randomchat.match.Waiters.Waiter;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;
import dev.randomchat.system.Ticks;

/**
 * The waiting queue's clocks on this server. Every {@link #RENEW_EVERY} it renews the leases of the
 * guests waiting here ({@code renew.lua}) and settles those that stopped waiting elsewhere: paired
 * by another server (told here through {@link MatchService#resume}) or gone from the queue (told
 * {@code cancelled}). A waiter with a match call in flight is left alone: that call answers it.
 * (Guests whose interest wait runs out get their open match from a timer of their own, set by
 * {@link MatchService}.)
 */
@Component
class WaitingTicker {

    private static final Logger log = LoggerFactory.getLogger(WaitingTicker.class);

    /** Leases are renewed this often: three chances before one lapses ({@link MatchService#LEASE}). */
    static final Duration RENEW_EVERY = Duration.ofSeconds(5);
    /** Renewals are sent in chunks of this many guests, so one script never runs long. */
    private static final int RENEW_CHUNK = 500;

    private static final LuaScript RENEW = LuaScript.load(WaitingTicker.class, "renew.lua");

    private final Redis redis;
    private final String serverId;
    private final QueueKeys keys;
    private final Waiters waiting;
    private final MatchService matching;
    private volatile long queueLength;

    WaitingTicker(Redis redis, ServerId serverId, Waiters waiting, MatchService matching, MeterRegistry meters) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.keys = QueueKeys.of(redis);
        this.waiting = waiting;
        this.matching = matching;
        Gauge.builder("chat.queue.length", this, ticker -> ticker.queueLength)
                .description("Guests in the shared waiting queue, as last seen").register(meters);
    }

    @Autowired
    void renewOn(Ticks ticks) {
        ticks.every("waiting lease renewal", Duration.ZERO, RENEW_EVERY, this::renewLeases);
    }

    /** Renews this server's leases; guests that stopped waiting elsewhere are told here. */
    Mono<Void> renewLeases() {
        List<String> guests = waiting.guestIds();
        Mono<Long> length = Mono.defer(() -> redis.commands().zcard(keys.queue())).doOnNext(n -> queueLength = n);
        return Flux.range(0, (guests.size() + RENEW_CHUNK - 1) / RENEW_CHUNK)
                .map(i -> guests.subList(i * RENEW_CHUNK, Math.min(guests.size(), (i + 1) * RENEW_CHUNK)))
                .concatMap(chunk -> {
                    List<String> args = new ArrayList<>(List.of(serverId, Long.toString(MatchService.LEASE.toMillis()),
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

    private Mono<Void> noLongerWaiting(String guestId) {
        Waiter waiter = waiting.get(guestId);
        if (waiter == null || waiter.inFlight.get() > 0) {
            return Mono.empty();
        }
        return redis.commands().hget(keys.current(), guestId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(current -> current.isPresent()
                        ? matching.resume(waiter, null, current.get(), true)
                        : cancelUnlessQueued(guestId, waiter));
    }

    /** Neither paired nor waiting: tell the sockets, unless a match ran since the renewal looked. */
    private Mono<Void> cancelUnlessQueued(String guestId, Waiter waiter) {
        return redis.commands().hexists(keys.waiters(), guestId)
                .flatMap(queued -> Mono.fromRunnable(() -> {
                    if (!queued && waiter.inFlight.get() == 0 && waiting.remove(waiter)) {
                        waiter.sockets.forEach(socket -> socket.send(new Outbound.Cancelled()));
                    }
                }));
    }
}
