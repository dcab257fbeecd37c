package dev.randomchat.chat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.randomchat.presence.ServerPresence;
import dev.randomchat.system.Ticks;

/**
 * Ends channels whose guest is gone ({@code PEER_GONE_SECONDS}). One ticker per server, whose work
 * follows what happened rather than how many sockets are open: it takes the deadlines that fell
 * due (each taken by one server) and checks each guest once, and it turns the guests of a server
 * whose presence lapsed into deadlines counted from the lapse. A tick that has nothing to look
 * for asks Redis nothing: lapsed servers are looked for every {@link #LAPSED_EVERY}, deadlines
 * when one can be due ({@link GoneDeadlines#claimDue}), so an idle server sends about one command
 * every two seconds here rather than two a second.
 */
@Component
class GoneWatch {

    private static final Logger log = LoggerFactory.getLogger(GoneWatch.class);

    /** Deadlines taken per tick; more wait for the next one. */
    private static final int CLAIM_LIMIT = 200;
    /**
     * How often to look for servers whose presence lapsed (20 s after their last heartbeat): a
     * dead server's guests are taken at most this long after the lapse, and their gone period is
     * counted from the lapse itself.
     */
    static final Duration LAPSED_EVERY = Duration.ofSeconds(3);
    /** A check that failed (Redis away) is tried again after this. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final ChannelService channels;
    private final ChannelPresence channelPresence;
    private final GoneDeadlines deadlines;
    private final ServerPresence presence;
    private final PairedChannels pairings;
    private final ChannelProperties properties;
    /** The {@link System#nanoTime} from which lapsed servers are looked for again. */
    private volatile long nextLapsedNanos = System.nanoTime();

    GoneWatch(ChannelService channels, ChannelPresence channelPresence, GoneDeadlines deadlines, ServerPresence presence, PairedChannels pairings,
            ChannelProperties properties) {
        this.channels = channels;
        this.channelPresence = channelPresence;
        this.deadlines = deadlines;
        this.presence = presence;
        this.pairings = pairings;
        this.properties = properties;
    }

    @Autowired
    void tickOn(Ticks ticks, @Value("${chat.channel.gone-tick:1s}") Duration every) {
        ticks.every("peer-gone tick", every, every, this::tickIfDue);
    }

    /**
     * Once a tick, unless the one before is still at work ({@link Ticks}): nothing at all (two
     * reads) when no deadline can be due and lapsed servers are not to be looked for yet, which is
     * most ticks of an idle server.
     */
    private Mono<Void> tickIfDue() {
        if (!deadlines.mayBeDue() && System.nanoTime() - nextLapsedNanos < 0) {
            return Mono.empty();
        }
        return tick();
    }

    Mono<Void> tick() {
        return Mono.defer(() -> lapsedServers().then(dueDeadlines()))
                .onErrorResume(ex -> {
                    log.warn("peer-gone tick failed: {}", ex.toString());
                    return Mono.empty();
                });
    }

    /**
     * The guests of a dead server count as away from the moment its presence lapsed: their peers
     * are told, and the gone period runs from then. Looked for every {@link #LAPSED_EVERY}, and at
     * the next tick again while lapsed servers' guests are being taken (a chunk at a time).
     */
    private Mono<Void> lapsedServers() {
        return Mono.defer(() -> {
            long now = System.nanoTime();
            if (now - nextLapsedNanos < 0) {
                return Mono.empty();
            }
            AtomicBoolean found = new AtomicBoolean();
            return releaseLapsed(found)
                    .doOnSuccess(done -> nextLapsedNanos = found.get() ? System.nanoTime() : now + LAPSED_EVERY.toNanos());
        });
    }

    private Mono<Void> releaseLapsed(AtomicBoolean found) {
        return presence.releaseLapsed()
                .doOnNext(lapsed -> found.set(true))
                .concatMap(lapsed -> pairings.currentChannels(lapsed.guests())
                        .flatMapMany(current -> Flux.fromIterable(current.entrySet()))
                        .concatMap(entry -> channelPresence.serverLapsed(entry.getValue(), entry.getKey(), lapsed.serverId(),
                                        lapsed.lapsedAtMs())
                                .flatMap(awaySince -> deadlines.schedule(
                                        new GoneDeadlines.Deadline(entry.getValue(), entry.getKey(), lapsed.serverId()),
                                        awaySince + properties.peerGone().toMillis()))))
                .then();
    }

    private Mono<Void> dueDeadlines() {
        return deadlines.claimDue(CLAIM_LIMIT)
                .concatMap(deadline -> channels.endIfGone(deadline.channelId(), deadline.guestId(), deadline.deadServer())
                        .flatMap(result -> result.startsWith("later:")
                                ? deadlines.schedule(deadline, Long.parseLong(result.substring(6)))
                                : Mono.empty())
                        .onErrorResume(ex -> {
                            // Taken but not checked: put it back, to be looked at again a little later.
                            log.warn("peer-gone check of channel {} failed: {}", deadline.channelId(), ex.toString());
                            return deadlines.schedule(deadline, System.currentTimeMillis() + RETRY_AFTER.toMillis())
                                    .onErrorResume(again -> Mono.empty());
                        }))
                .then();
    }
}
