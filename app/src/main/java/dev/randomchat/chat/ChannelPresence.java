package dev.randomchat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelEndListener.ChannelEnd;
import dev.randomchat.presence.ServerPresence;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;
import dev.randomchat.system.Ticks;

/**
 * Who is in each channel, and when a channel held here expires ({@code presence.lua}).
 *
 * <p>A channel's presence hash holds one entry per guest and server, made when a socket attaches
 * (enter.lua, read.lua) and removed here when the guest's last socket of the channel on this
 * server has been gone for the grace; the peer hears {@code presence} when a guest's first entry
 * appears or its last one goes, and the guest's gone period starts ({@link GoneDeadlines}).
 * Nothing is renewed while sockets idle: each channel held here is looked at for its expiry once
 * when it falls due ({@link ExpiryChecks}), so the work follows the channels' lives, not a clock.
 */
@Component
class ChannelPresence {

    private static final Logger log = LoggerFactory.getLogger(ChannelPresence.class);

    /**
     * A channel's presence hash outlives its meta by this much, so an expiry check that runs a
     * little late still finds the entries (they are never renewed while sockets idle).
     */
    static final Duration SLACK = Duration.ofMinutes(2);
    /** A guest whose last socket closed is announced offline only after this, so a reload does not flap. */
    static final Duration GRACE = Duration.ofSeconds(3);
    /** Expiry checks that fell due are looked at this often (each channel's once per expiry period). */
    static final String EXPIRY_TICK = "${chat.channel.expiry-tick:5s}";
    /** An expiry check that failed (Redis away) is tried again after this. */
    private static final Duration EXPIRY_RETRY = Duration.ofSeconds(30);

    private static final LuaScript PRESENCE = LuaScript.load(ChannelPresence.class, "presence.lua");

    private final Redis redis;
    private final String serverId;
    private final ChannelProperties properties;
    private final GoneDeadlines deadlines;
    private final Attachments attachments;
    private final ChannelEnds ends;
    private final ExpiryChecks expiryChecks = new ExpiryChecks();

    ChannelPresence(Redis redis, ServerId serverId, ChannelProperties properties, GoneDeadlines deadlines,
            Attachments attachments, ChannelEnds ends, ServerPresence serverPresence) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.properties = properties;
        this.deadlines = deadlines;
        this.attachments = attachments;
        this.ends = ends;
        serverPresence.onRegisteredAgain(this::presentAgain);
    }

    /**
     * The guest has no socket of these channels here any more, since {@code awayFor}. For each
     * where it has none anywhere, the peer is told, and the channel ends as gone unless a socket
     * comes back in time.
     */
    Mono<Void> left(List<String> channelIds, String guestId, Duration awayFor) {
        return Flux.fromIterable(channelIds)
                .concatMap(channelId -> left(channelId, guestId, awayFor))
                .then();
    }

    Mono<Void> left(String channelId, String guestId, Duration awayFor) {
        if (attachments.holds(channelId, guestId)) {
            return Mono.empty();
        }
        return run(channelId, serverId, "leave", guestId, Long.toString(awayFor.toMillis()))
                .filter(result -> result.startsWith("away:"))
                .flatMap(result -> deadlines.schedule(new GoneDeadlines.Deadline(channelId, guestId, ""),
                        Long.parseLong(result, 5, result.length(), 10) + properties.peerGone().toMillis()));
    }

    /**
     * A guest of a server whose presence lapsed (it died) no longer counts as present in this
     * channel; its peer is told, and emits since when the guest counts as away (empty when it is
     * still present through another server, or the channel is not open).
     */
    Mono<Long> serverLapsed(String channelId, String guestId, String deadServer, long lapsedAtMs) {
        return run(channelId, deadServer, "leave", guestId, Long.toString(Math.max(0, System.currentTimeMillis() - lapsedAtMs)))
                .filter(result -> result.startsWith("away:"))
                .map(result -> Long.parseLong(result, 5, result.length(), 10));
    }

    /** A socket attached to the channel: it expires at the latest this long from now, unless a message moves it on. */
    void watchExpiry(String channelId) {
        expiryChecks.watch(channelId, System.currentTimeMillis() + properties.expiration().toMillis());
    }

    @Autowired
    void expireOn(Ticks ticks, @Value(EXPIRY_TICK) Duration every) {
        ticks.every("channel expiry", every, every, this::expiryTick);
    }

    /** Tells the sockets of channels that expired. */
    Mono<Void> expiryTick() {
        return Mono.defer(() -> Flux.fromIterable(expiryChecks.takeDue(System.currentTimeMillis()))
                .filter(attachments::holdsChannel)
                .concatMap(channelId -> checkExpiry(channelId)
                        .onErrorResume(ex -> {
                            log.debug("expiry check of channel {} failed: {}", channelId, ex.toString());
                            expiryChecks.schedule(channelId, System.currentTimeMillis() + EXPIRY_RETRY.toMillis());
                            return Mono.empty();
                        }))
                .then());
    }

    private Mono<Void> checkExpiry(String channelId) {
        return run(channelId, serverId, "check")
                .flatMap(result -> {
                    if ("gone".equals(result)) {
                        attachments.endLocally(channelId, ChannelFrames.ended(channelId, "", "expired"));
                        return ends.ended(ChannelEnd.expired(channelId));
                    }
                    long ttl = Long.parseLong(result, result.indexOf(':') + 1, result.length(), 10);
                    long wait = ttl < 0 ? properties.expiration().toMillis() : ttl + 1;
                    expiryChecks.schedule(channelId, System.currentTimeMillis() + wait);
                    return Mono.empty();
                });
    }

    /**
     * This server had been taken for dead (its presence lapsed, e.g. Redis was away that long) and
     * is back: its guests' presence in the channels it holds is made again.
     */
    private Mono<Void> presentAgain() {
        return Flux.fromIterable(attachments.guestsByChannel().entrySet())
                .concatMap(channel -> run(channel.getKey(), serverId, "here", channel.getValue().toArray(String[]::new))
                        .onErrorResume(ex -> {
                            log.warn("presence of channel {} not made again: {}", channel.getKey(), ex.toString());
                            return Mono.empty();
                        }))
                .then();
    }

    /** presence.lua for this channel, as {@code server}, in {@code mode} with its arguments. */
    private Mono<String> run(String channelId, String server, String mode, String... more) {
        List<String> args = new ArrayList<>(List.of(server, Long.toString(SLACK.toMillis()), redis.publishCommand(), mode));
        args.addAll(List.of(more));
        return redis.run(PRESENCE, ChannelKeys.of(redis, channelId).forPresence(), args.toArray(String[]::new));
    }
}
