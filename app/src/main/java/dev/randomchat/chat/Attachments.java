package dev.randomchat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.Redis;

/**
 * The sockets attached to channels on this server, and the delivery of each channel's events to
 * them: the fan-out of a topic's events, a join's replay, and the catch-up of sockets whose stream
 * has a gap.
 *
 * <p>It owns two maps, and these are their rules:
 * <ul>
 * <li>{@code byClient}: socket id to its one {@link Attachment}, what a frame from the socket acts
 *     on. A socket has at most one: {@link #register} replaces (and detaches) the previous one;
 *     {@link #remove} and an {@code ended} event take it out with {@code remove(id, attachment)},
 *     so a newer attachment of the same socket is never taken out by an older one's end.
 * <li>{@code byChannel}: channel id to the attachments held here, what a topic's events fan out
 *     to. A set is added to in {@link #register} and emptied only through {@link #detach}, which
 *     removes the set with its last member inside {@code computeIfPresent}, so an attachment is
 *     never added to a set that has just been dropped.
 * <li>Both are concurrent maps read without a lock: Pub/Sub threads fan out, socket pipelines
 *     register and remove, a catch-up round reads. An event may still reach an attachment being
 *     detached; a detached attachment writes nothing, so that race is harmless.
 * <li>Each attachment's stream is its own monitor (its methods are synchronized and write to the
 *     socket's queue, which never blocks). No lock is held here across attachments or across a
 *     call to Redis.
 * </ul>
 * A catch-up round looks only at attachments noted in {@code catchUps} (a gap) or
 * {@code verifications} (after a Redis outage); each is taken off its set before it is looked at,
 * so a gap that opens meanwhile notes it again.
 */
@Component
class Attachments {

    private static final Logger log = LoggerFactory.getLogger(Attachments.class);

    /** Sockets reading the log at once after a Redis outage; the others wait their turn. */
    private static final int CATCH_UP_PARALLELISM = 8;

    private final Redis redis;
    private final ChannelLog channelLog;
    private final Map<String, Set<Attachment>> byChannel = new ConcurrentHashMap<>();
    private final Map<String, Attachment> byClient = new ConcurrentHashMap<>();
    /** Attachments whose stream may have a gap: the only ones a catch-up round reads for. */
    private final Set<Attachment> catchUps = ConcurrentHashMap.newKeySet();
    /** Attachments to check against their channel's last seq (after a Redis outage). */
    private final Set<Attachment> verifications = ConcurrentHashMap.newKeySet();
    private final Counter replayedMessages;
    /** How long after a note a catch-up round runs, and between rounds while notes remain. */
    private final Duration catchUpInterval;
    /** Whether a catch-up round is set or running. */
    private final AtomicBoolean catchUpSet = new AtomicBoolean();

    Attachments(Redis redis, ChannelLog channelLog, MeterRegistry meters,
            @Value("${chat.channel.catch-up-interval:250ms}") Duration catchUpInterval) {
        this.redis = redis;
        this.channelLog = channelLog;
        this.catchUpInterval = catchUpInterval;
        this.replayedMessages = Counter.builder("chat.messages.replayed")
                .description("Messages replayed from the log to joining or catching-up sockets")
                .register(meters);
        redis.onReconnect(this::verifyAll);
    }

    /**
     * Subscribes to the channel's topic once for each of {@code count} attachments to come.
     * Subscriptions are counted ({@link Redis#subscribe}) and every attachment unsubscribes once
     * when it goes, so the topic stays subscribed while any socket here is attached. All counts
     * share one confirmation, which this waits for.
     */
    Mono<Void> subscribe(String channelId, int count) {
        String topic = topic(channelId);
        Mono<Void> confirmed = Mono.empty();
        for (int i = 0; i < count; i++) {
            confirmed = redis.subscribe(topic, event -> dispatch(channelId, event));
        }
        return redis.within(confirmed, Redis.SUBSCRIBE_WAIT);
    }

    /** Gives back {@code count} subscriptions taken for attachments that never came to be. */
    void unsubscribe(String channelId, int count) {
        for (int i = 0; i < count; i++) {
            redis.unsubscribe(topic(channelId));
        }
    }

    /**
     * Makes this attachment its socket's one. Returns the channels the socket's guest may have
     * left here by it, in order: a previous attachment's other channel, and this one when the
     * socket closed meanwhile (its close ran before this attachment existed and released nothing).
     */
    List<String> register(Attachment attachment) {
        Client client = attachment.connection();
        Attachment previous = byClient.put(client.id(), attachment);
        byChannel.computeIfAbsent(attachment.channelId(), id -> ConcurrentHashMap.newKeySet()).add(attachment);
        List<String> left = new ArrayList<>(2);
        if (previous != null && previous != attachment) {
            detach(previous);
            if (!previous.channelId().equals(attachment.channelId())) {
                left.add(previous.channelId());
            }
        }
        if (!client.isOpen() && byClient.remove(client.id(), attachment)) {
            detach(attachment);
            left.add(attachment.channelId());
        }
        return left;
    }

    /** The socket closed: its attachment, detached, or null when it had none. */
    Attachment remove(Client client) {
        Attachment attachment = byClient.remove(client.id());
        if (attachment != null) {
            detach(attachment);
        }
        return attachment;
    }

    /** The socket's attachment; {@code not_in_channel} (answering {@code ref}) when it has none. */
    Attachment of(Client client, String ref) {
        Attachment attachment = byClient.get(client.id());
        if (attachment == null) {
            throw new FrameException(ErrorCode.NOT_IN_CHANNEL, "join a channel first", ref);
        }
        return attachment;
    }

    /** The channel this socket is attached to, or null. */
    String channelOf(Client client) {
        Attachment attachment = byClient.get(client.id());
        return attachment == null ? null : attachment.channelId();
    }

    boolean holdsChannel(String channelId) {
        return byChannel.containsKey(channelId);
    }

    /** Whether a socket of this guest is attached to the channel here. */
    boolean holds(String channelId, String guestId) {
        Set<Attachment> attachments = byChannel.get(channelId);
        return attachments != null && attachments.stream().anyMatch(a -> a.guestId().equals(guestId));
    }

    /** The guests with a socket attached here, by channel (a snapshot). */
    Map<String, List<String>> guestsByChannel() {
        Map<String, List<String>> guests = new LinkedHashMap<>();
        byChannel.forEach((channelId, attachments) -> guests.put(channelId,
                attachments.stream().map(Attachment::guestId).distinct().toList()));
        return guests;
    }

    /** A freshly matched socket goes live at {@code seq} with no replay, {@code announce} first. */
    void goLive(Attachment attachment, long seq, Runnable announce) {
        attachment.liveFrom(seq, announce);
        noteCatchUp(attachment);
    }

    /**
     * Writes a join's replay page by page, each read only once the socket has room for it, then
     * {@code joined}, then live events. A socket that stops reading holds at most a page or two.
     */
    Mono<Void> replay(Attachment attachment, ChannelState first) {
        return Mono.just(first)
                .expand(page -> writePage(attachment, page, true) ? Mono.empty() : nextPage(attachment))
                .then()
                .onErrorResume(ex -> {
                    attachment.handOverToCatchUp();
                    noteCatchUp(attachment);
                    return Mono.error(ex);
                });
    }

    /** Tells the channel's sockets here that it ended, without publishing (an expired channel). */
    void endLocally(String channelId, String endedFrame) {
        deliver(channelId, new ChannelEvent(ChannelEvent.Kind.ENDED, 0, "", endedFrame));
    }

    /** An event from the channel's topic. */
    private void dispatch(String channelId, String event) {
        try {
            deliver(channelId, ChannelEvent.parse(event));
        }
        catch (IllegalArgumentException ex) {
            log.warn("unreadable event on channel {}: {}", channelId, ex.getMessage());
        }
    }

    private void deliver(String channelId, ChannelEvent event) {
        Set<Attachment> attachments = byChannel.get(channelId);
        if (attachments == null) {
            return;
        }
        for (Attachment attachment : attachments) {
            if (!event.isFor(attachment.guestId())) {
                continue;
            }
            switch (event.kind()) {
                case MESSAGE -> {
                    attachment.live(event.seq(), event.frame());
                    noteCatchUp(attachment);
                }
                case TO_PEER -> attachment.connection().sendJson(event.frame());
                case TYPING, PRESENCE -> attachment.connection().sendDroppable(event.frame());
                case ENDED -> {
                    attachment.connection().sendJson(event.frame());
                    byClient.remove(attachment.connection().id(), attachment);
                    detach(attachment);
                }
            }
        }
    }

    private void detach(Attachment attachment) {
        if (attachment.detached()) {
            return;
        }
        attachment.detach();
        byChannel.computeIfPresent(attachment.channelId(), (id, set) -> {
            set.remove(attachment);
            return set.isEmpty() ? null : set;
        });
        redis.unsubscribe(topic(attachment.channelId()));
    }

    /** Writes one page; true when no page follows (the socket is live, or gone). */
    private boolean writePage(Attachment attachment, ChannelState page, boolean announce) {
        Client client = attachment.connection();
        replayedMessages.increment(page.messages().size());
        if (!page.open()) {
            attachment.liveFrom(attachment.lastSent(), () -> { });
            noteCatchUp(attachment);
            return true;
        }
        attachment.page(page.messages(), page.firstSeq());
        Runnable joined = () -> client.send(new Outbound.Joined(attachment.channelId(), page.lastSeq(),
                page.firstSeq(), page.peerOf(client.guestId()), page.peerOnline(), page.seenByPeerOf(client.guestId())));
        boolean live = attachment.goLiveIfCaughtUp(page.lastSeq(), page.messages().isEmpty(), announce ? joined : () -> { });
        noteCatchUp(attachment);
        return live;
    }

    private Mono<ChannelState> nextPage(Attachment attachment) {
        Client client = attachment.connection();
        return client.room()
                .then(Mono.defer(() -> client.isOpen() && !attachment.detached()
                        ? channelLog.page(attachment, false)
                        : Mono.empty()));
    }

    /**
     * Sockets whose stream has a gap (after a Redis reconnect, or a dropped event) read the log, one
     * page per round, a few sockets at a time and only while their queue has room for it. A round
     * looks only at the sockets noted as needing it, never at them all, and runs only while some
     * are noted: the first note sets it {@link #catchUpInterval} later, and a round that leaves
     * notes behind (a socket with no room yet, a gap that opened meanwhile) sets the next. A server
     * with no gaps has no catch-up timer at all (a tick four times a second was the largest part of
     * an idle server's scheduled work).
     */
    private void wakeCatchUp() {
        if (!catchUpSet.compareAndSet(false, true)) {
            return;
        }
        Mono.delay(catchUpInterval)
                .then(Mono.defer(() -> verifyNow().then(Mono.defer(this::readGapsNow))))
                .onErrorResume(ex -> {
                    log.debug("catch-up round failed: {}", ex.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    catchUpSet.set(false);
                    if (!catchUps.isEmpty() || !verifications.isEmpty()) {
                        wakeCatchUp();
                    }
                })
                .subscribe();
    }

    /**
     * After a Redis outage: a socket whose stream may have missed something looks at the channel's
     * last seq, with no message read, and only one that is behind reads the log. Live messages keep
     * flowing to every socket meanwhile; one that shows a gap holds that socket alone.
     */
    private Mono<Void> verifyNow() {
        return Flux.fromIterable(new ArrayList<>(verifications))
                .filter(verifications::remove)
                .filter(attachment -> !attachment.detached())
                .flatMap(attachment -> channelLog.read(attachment.channelId(), attachment.guestId(), attachment.lastSent(), 0)
                        .map(state -> !state.open() || state.lastSeq() > attachment.lastSent())
                        // Not known: read the log to be sure.
                        .onErrorReturn(true)
                        .filter(behind -> behind)
                        .doOnNext(behind -> {
                            attachment.requestCatchUp();
                            noteCatchUp(attachment);
                        }), CATCH_UP_PARALLELISM)
                .then();
    }

    private Mono<Void> readGapsNow() {
        if (catchUps.isEmpty()) {
            return Mono.empty();
        }
        // Taken off the set before looking: a gap that opens meanwhile notes the socket again.
        return Flux.fromIterable(new ArrayList<>(catchUps))
                .filter(catchUps::remove)
                .filter(Attachment::catchUpNeeded)
                .filter(attachment -> {
                    if (attachment.connection().hasRoom()) {
                        return true;
                    }
                    // No room for a page yet: looked at again in the next round.
                    catchUps.add(attachment);
                    return false;
                })
                .filter(Attachment::beginCatchUp)
                .flatMap(attachment -> channelLog.page(attachment, false)
                        .map(page -> writePage(attachment, page, false))
                        .onErrorResume(ex -> {
                            attachment.liveFrom(attachment.lastSent(), () -> { });
                            noteCatchUp(attachment);
                            return Mono.empty();
                        }), CATCH_UP_PARALLELISM)
                .then();
    }

    /** Queues the socket for a catch-up round if its stream has a gap. */
    private void noteCatchUp(Attachment attachment) {
        if (attachment.catchUpNeeded()) {
            catchUps.add(attachment);
            wakeCatchUp();
        }
    }

    /** Redis was away: every socket's stream may have missed what Pub/Sub dropped meanwhile. */
    private void verifyAll() {
        verifications.addAll(byClient.values());
        wakeCatchUp();
    }

    private String topic(String channelId) {
        return ChannelKeys.topic(redis, channelId);
    }
}
