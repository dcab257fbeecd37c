package dev.randomchat.chat;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.randomchat.presence.ServerPresence;

/**
 * Ends channels whose guest is gone ({@code PEER_GONE_SECONDS}). One ticker per server, whose work
 * follows what happened rather than how many sockets are open: it takes the deadlines that fell
 * due (each taken by one server) and checks each guest once, and it turns the guests of a server
 * whose presence lapsed into deadlines counted from the lapse.
 */
@Component
class GoneWatch {

    private static final Logger log = LoggerFactory.getLogger(GoneWatch.class);

    /** Deadlines taken per tick; more wait for the next one. */
    private static final int CLAIM_LIMIT = 200;
    /** A check that failed (Redis away) is tried again after this. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final ChannelService channels;
    private final ChannelPresence channelPresence;
    private final GoneDeadlines deadlines;
    private final ServerPresence presence;
    private final PairedChannels pairings;
    private final ChannelProperties properties;

    GoneWatch(ChannelService channels, ChannelPresence channelPresence, GoneDeadlines deadlines, ServerPresence presence, PairedChannels pairings,
            ChannelProperties properties) {
        this.channels = channels;
        this.channelPresence = channelPresence;
        this.deadlines = deadlines;
        this.presence = presence;
        this.pairings = pairings;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${chat.channel.gone-tick:1s}")
    Mono<Void> tick() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(() -> lapsedServers().then(dueDeadlines()))
                .onErrorResume(ex -> {
                    log.warn("peer-gone tick failed: {}", ex.toString());
                    return Mono.empty();
                });
    }

    /**
     * The guests of a dead server count as away from the moment its presence lapsed: their peers
     * are told, and the gone period runs from then.
     */
    private Mono<Void> lapsedServers() {
        return presence.releaseLapsed()
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
