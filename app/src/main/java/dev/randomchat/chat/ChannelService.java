package dev.randomchat.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.auth.TokenService;
import dev.randomchat.chat.ChannelEndListener.ChannelEnd;
import dev.randomchat.presence.ServerPresence;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.JsonText;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

/**
 * Channels: join and resume, send, seen, typing, presence and leave.
 *
 * <p>Each message is numbered, stored and published by one script ({@code send.lua}). A server
 * subscribes to a channel's topic while it holds one of its sockets; every socket gets the
 * channel's messages in seq order with no gap and no duplicate ({@link Attachment}).
 */
@Service
public class ChannelService {

    private static final Logger log = LoggerFactory.getLogger(ChannelService.class);

    /**
     * A channel's presence hash outlives its meta by this much, so an expiry check that runs a
     * little late still finds the entries (they are never renewed while sockets idle).
     */
    static final Duration PRESENCE_SLACK = Duration.ofMinutes(2);
    /** Expiry checks that fell due are looked at this often (each channel's once per expiry period). */
    static final String EXPIRY_TICK = "${chat.channel.expiry-tick:5s}";
    /** Sockets reading the log at once after a Redis outage; the others wait their turn. */
    private static final int CATCH_UP_PARALLELISM = 8;
    /** An expiry check that failed (Redis away) is tried again after this. */
    private static final Duration EXPIRY_RETRY = Duration.ofSeconds(30);
    /** A guest whose last socket closed is announced offline only after this, so a reload does not flap. */
    static final Duration PRESENCE_GRACE = Duration.ofSeconds(3);
    /**
     * An ended channel's keys are kept this long, or for the report window when that is longer,
     * so late joins learn it ended and reports still find the evidence; then they go.
     */
    static final Duration CLOSED_RETENTION = Duration.ofMinutes(5);
    /** A replay or catch-up reads the log in pages of at most this many messages (and the socket's page bytes). */
    public static final int REPLAY_PAGE = 100;

    private static final LuaScript ENTER = LuaScript.load(ChannelService.class, "enter.lua");
    private static final LuaScript SEND = LuaScript.load(ChannelService.class, "send.lua");
    private static final LuaScript READ = LuaScript.load(ChannelService.class, "read.lua");
    private static final LuaScript SEEN = LuaScript.load(ChannelService.class, "seen.lua");
    private static final LuaScript LEAVE = LuaScript.load(ChannelService.class, "leave.lua");
    private static final LuaScript PRESENCE = LuaScript.load(ChannelService.class, "presence.lua");
    private static final LuaScript ADD_FILE = LuaScript.load(ChannelService.class, "add-file.lua");

    private final Redis redis;
    private final String serverId;
    private final TokenService tokens;
    private final JsonMapper json;
    private final ChannelProperties properties;
    private final GoneDeadlines deadlines;
    private final ObjectProvider<ChannelEndListener> endListeners;
    private final Map<String, Set<Attachment>> byChannel = new ConcurrentHashMap<>();
    private final Map<String, Attachment> byConnection = new ConcurrentHashMap<>();
    private final ExpiryChecks expiryChecks = new ExpiryChecks();
    /** Attachments whose stream may have a gap: the only ones the catch-up tick looks at. */
    private final Set<Attachment> catchUps = ConcurrentHashMap.newKeySet();
    /** Attachments to check against their channel's last seq (after a Redis outage). */
    private final Set<Attachment> verifications = ConcurrentHashMap.newKeySet();
    private final Counter relayed;
    private final Counter resumes;
    private final Counter replayedMessages;

    ChannelService(Redis redis, ServerId serverId, TokenService tokens, JsonMapper json, ChannelProperties properties,
            GoneDeadlines deadlines, ObjectProvider<ChannelEndListener> endListeners,
            ServerPresence presence, MeterRegistry meters) {
        this.deadlines = deadlines;
        this.redis = redis;
        this.serverId = serverId.value();
        this.tokens = tokens;
        this.json = json;
        this.properties = properties;
        this.endListeners = endListeners;
        this.relayed = Counter.builder("chat.messages.relayed").description("Chat messages stored and published")
                .register(meters);
        this.resumes = Counter.builder("chat.resumes").description("Joins of an existing channel (resumes)")
                .register(meters);
        this.replayedMessages = Counter.builder("chat.messages.replayed")
                .description("Messages replayed from the log to joining or catching-up sockets")
                .register(meters);
        redis.onReconnect(this::markAllForCatchUp);
        presence.onRegisteredAgain(this::presentAgain);
    }

    /** A freshly matched socket, and what announces the match to it (its {@code matched} frame). */
    public record Arrival(Client connection, Runnable announce) {
    }

    /**
     * Records a freshly made pair's channel (idempotent) and attaches these sockets to it, live from
     * now and without a replay: each {@code announce} is written before any live event can be. One
     * subscription and one script serve every socket of both guests on this server. Emits "open", or
     * "closed" (attaching nobody) when the channel has already ended; with no arrivals it only records.
     */
    public Mono<String> enter(String channelId, Outbound.Peer a, Outbound.Peer b, List<String> commonInterests,
            List<Arrival> arrivals) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        List<String> args = new ArrayList<>(List.of(a.id(), a.name(), b.id(), b.name(),
                String.join(",", commonInterests), Long.toString(properties.expiration().toMillis()), serverId,
                Long.toString(PRESENCE_SLACK.toMillis()), redis.publishCommand()));
        arrivals.stream().map(arrival -> arrival.connection().guestId()).distinct().forEach(args::add);
        Mono<String> entered = redis.run(ENTER, keys.forPresence(), args.toArray(String[]::new));
        if (arrivals.isEmpty()) {
            return entered.map(result -> result.startsWith("open:") ? "open" : result);
        }
        return Mono.defer(() -> {
            // One count per socket: each attachment unsubscribes once when it goes.
            Mono<Void> subscribed = Mono.empty();
            for (int i = 0; i < arrivals.size(); i++) {
                subscribed = redis.subscribe(keys.topic(), message -> dispatch(channelId, message));
            }
            AtomicBoolean attached = new AtomicBoolean();
            return subscribed.timeout(Redis.SUBSCRIBE_WAIT)
                    .then(entered)
                    .flatMap(result -> {
                        if (!result.startsWith("open:")) {
                            return Mono.just(result);
                        }
                        attached.set(true);
                        long lastSeq = Long.parseLong(result, 5, result.length(), 10);
                        return Flux.fromIterable(arrivals)
                                .concatMap(arrival -> {
                                    Attachment attachment = new Attachment(arrival.connection(), channelId, 0);
                                    Mono<Void> moved = register(attachment);
                                    attachment.liveFrom(lastSeq, arrival.announce());
                                    noteCatchUp(attachment);
                                    return moved;
                                })
                                .then(Mono.just("open"));
                    })
                    .doFinally(signal -> {
                        if (!attached.get()) {
                            arrivals.forEach(arrival -> redis.unsubscribe(keys.topic()));
                        }
                    });
        });
    }

    public Mono<Void> join(Client connection, String token, long after) {
        ChannelGrant grant = tokens.verifyChannel(token)
                .filter(g -> g.guestId().equals(connection.guestId()))
                .orElseThrow(() -> new FrameException(ErrorCode.INVALID_TOKEN,
                        "this channel token is not valid for you", "join"));
        resumes.increment();
        return attach(connection, grant.channelId(), after);
    }

    public Mono<Void> send(Client connection, String cmid, String text) {
        Attachment attachment = attachmentOf(connection, cmid);
        String sentAt = Instant.now().toString();
        String tail = ",\"cmid\":" + quote(cmid) + ",\"from\":" + quote(connection.guestId())
                + ",\"sentAt\":" + quote(sentAt) + ",\"text\":" + quote(text) + "}";
        return store(connection, attachment.channelId(), cmid, tail);
    }

    /**
     * Records an uploaded file as belonging to an open channel, so a {@code file} frame may post
     * it; {@code metadata} is the message's {@code file} object as JSON. Emits false when the
     * channel is closed or gone.
     */
    public Mono<Boolean> addFile(String channelId, String fileId, String metadata) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(ADD_FILE, List.of(keys.meta(), keys.files()), fileId, metadata)
                .map("ok"::equals);
    }

    /** Emits whether the channel exists and has not ended (uploads check it before taking a body). */
    public Mono<Boolean> isOpen(String channelId) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.commands()
                .hmget(keys.meta(), "a", "closed")
                .collectList()
                .map(fields -> fields.size() == 2 && fields.get(0).hasValue() && !fields.get(1).hasValue());
    }

    /** Emits whether the channel's keys still exist: open, or ended within its retention (the report window). */
    public Mono<Boolean> isKept(String channelId) {
        return redis.commands()
                .exists(ChannelKeys.of(redis, channelId).meta())
                .map(count -> count > 0);
    }

    /** Posts a file already uploaded to this channel, as a message carrying its metadata. */
    public Mono<Void> postFile(Client connection, String cmid, String fileId) {
        Attachment attachment = attachmentOf(connection, cmid);
        ChannelKeys keys = ChannelKeys.of(redis, attachment.channelId());
        return redis.commands()
                .hget(keys.files(), fileId)
                .switchIfEmpty(Mono.error(() -> new FrameException(ErrorCode.UNKNOWN_FILE,
                        "no such file in this channel", cmid)))
                .flatMap(file -> {
                    String tail = ",\"cmid\":" + quote(cmid) + ",\"from\":" + quote(connection.guestId())
                            + ",\"sentAt\":" + quote(Instant.now().toString()) + ",\"file\":" + file + "}";
                    return store(connection, attachment.channelId(), cmid, tail);
                });
    }

    public Mono<Void> seen(Client connection, long seq) {
        Attachment attachment = attachmentOf(connection, "seen");
        ChannelKeys keys = ChannelKeys.of(redis, attachment.channelId());
        return redis.run(SEEN, List.of(keys.meta(), keys.topic()), connection.guestId(), Long.toString(seq),
                        redis.publishCommand())
                .flatMap(result -> switch (result) {
                    case "beyond" -> Mono.error(FrameException.badRequest("seq is beyond the last message", "seen"));
                    case "gone" -> Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", "seen"));
                    default -> Mono.empty();
                });
    }

    public Mono<Void> typing(Client connection, boolean active) {
        Attachment attachment = attachmentOf(connection, "typing");
        String event = "t|0|" + connection.guestId() + "|{\"type\":\"typing\",\"from\":" + quote(connection.guestId())
                + ",\"active\":" + active + "}";
        return redis.publish(ChannelKeys.of(redis, attachment.channelId()).topic(), event);
    }

    public Mono<Void> leave(Client connection, boolean block) {
        Attachment attachment = attachmentOf(connection, "leave");
        return end(attachment.channelId(), connection.guestId(), "left", block);
    }

    /**
     * Ends a channel: one {@code ended} to every socket of both guests, the pair freed to match
     * others but not each other for a while (or for good, with {@code block}).
     */
    public Mono<Void> end(String channelId, String by, String reason, boolean block) {
        return close(channelId, by, reason, block)
                .flatMap(result -> "ended".equals(result) ? Mono.<Void>empty()
                        : Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", "leave")));
    }

    /**
     * Ends a channel as {@code gone} if this guest is still away, has been for {@code PEER_GONE_SECONDS},
     * and has no socket attached anywhere ({@code deadServer}'s presence entries no longer count).
     * Emits "ended", "present" (nothing to do), "later:<ms>" (away since later: look again then),
     * or why the channel could not be ended ("closed", "gone", "forbidden").
     */
    Mono<String> endIfGone(String channelId, String guestId, String deadServer) {
        return close(channelId, guestId, "gone", false, "gone", deadServer,
                Long.toString(properties.peerGone().toMillis()));
    }

    /** How long an ended channel's keys are kept: {@link #CLOSED_RETENTION}, or past the report window. */
    Duration closedRetention() {
        Duration afterWindow = properties.reportWindow().plusMinutes(1);
        return afterWindow.compareTo(CLOSED_RETENTION) > 0 ? afterWindow : CLOSED_RETENTION;
    }

    private Mono<String> close(String channelId, String by, String reason, boolean block, String... condition) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        String ended = "{\"type\":\"ended\",\"channelId\":" + quote(channelId) + ",\"by\":" + quote(by)
                + ",\"reason\":" + quote(reason) + "}";
        List<String> args = new ArrayList<>(List.of(by, reason, Long.toString(closedRetention().toMillis()),
                redis.publishCommand(), ended));
        args.addAll(List.of(condition));
        return redis.run(LEAVE, keys.forLeave(), args.toArray(String[]::new))
                .flatMap(result -> {
                    if (!result.startsWith("ok|")) {
                        return Mono.just(result);
                    }
                    String[] pair = result.split("\\|");
                    // The channel has ended: what follows must finish even if the leaving socket
                    // closes at once and cancels this frame's work.
                    CompletableFuture<Void> cleanup = channelEnded(new ChannelEnd(channelId, List.of(pair[1], pair[2]), block))
                            .toFuture();
                    return Mono.fromFuture(cleanup, true).thenReturn("ended");
                });
    }

    /** Emits the last messages of a channel (up to {@code limit}) for reports and evidence. */
    public Mono<ChannelState> read(String channelId, String guestId, long after, int limit) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(READ, keys.forRead(), guestId, serverId, Long.toString(after),
                        Long.toString(PRESENCE_SLACK.toMillis()), Integer.toString(limit), redis.publishCommand(), "read")
                .map(reply -> ChannelState.parse(json, reply));
    }

    /** The channel this socket is attached to, if any. */
    public String channelOf(Client connection) {
        Attachment attachment = byConnection.get(connection.id());
        return attachment == null ? null : attachment.channelId();
    }

    public Mono<Void> closed(Client connection) {
        Attachment attachment = byConnection.remove(connection.id());
        if (attachment == null) {
            return Mono.empty();
        }
        detach(attachment);
        return Mono.delay(PRESENCE_GRACE)
                .then(Mono.defer(() -> presenceLeft(attachment.channelId(), connection.guestId(), PRESENCE_GRACE)));
    }

    /** Joins with a replay of the messages after {@code after}, then {@code joined}. */
    private Mono<Void> attach(Client connection, String channelId, long after) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        Attachment attachment = new Attachment(connection, channelId, after);
        return redis.subscribe(keys.topic(), message -> dispatch(channelId, message))
                .timeout(Redis.SUBSCRIBE_WAIT)
                .then(Mono.defer(() -> readPage(attachment, "join")))
                .onErrorResume(ex -> {
                    redis.unsubscribe(keys.topic());
                    return Mono.error(ex);
                })
                .flatMap(state -> {
                    if (!state.open() || !state.member(connection.guestId())) {
                        redis.unsubscribe(keys.topic());
                        return Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", "join"));
                    }
                    Mono<Void> moved = register(attachment);
                    return Mono.when(moved, replay(attachment, state));
                });
    }

    /**
     * Writes a join's replay page by page, each read only once the socket has room for it, then
     * {@code joined}, then live events. A socket that stops reading holds at most a page or two.
     */
    private Mono<Void> replay(Attachment attachment, ChannelState first) {
        return Mono.just(first)
                .expand(page -> writePage(attachment, page, true) ? Mono.empty() : nextPage(attachment))
                .then()
                .onErrorResume(ex -> {
                    attachment.handOverToCatchUp();
                    noteCatchUp(attachment);
                    return Mono.error(ex);
                });
    }

    /** Writes one page; true when no page follows (the socket is live, or gone). */
    private boolean writePage(Attachment attachment, ChannelState page, boolean announce) {
        Client connection = attachment.connection();
        replayedMessages.increment(page.messages().size());
        if (!page.open()) {
            attachment.liveFrom(attachment.lastSent(), () -> { });
            noteCatchUp(attachment);
            return true;
        }
        attachment.page(page.messages(), page.firstSeq());
        Runnable joined = () -> connection.send(new Outbound.Joined(attachment.channelId(), page.lastSeq(),
                page.firstSeq(), page.peerOf(connection.guestId()), page.peerOnline(),
                page.seenByPeerOf(connection.guestId())));
        boolean live = attachment.goLiveIfCaughtUp(page.lastSeq(), page.messages().isEmpty(), announce ? joined : () -> { });
        noteCatchUp(attachment);
        return live;
    }

    private Mono<ChannelState> nextPage(Attachment attachment) {
        Client connection = attachment.connection();
        return connection.room()
                .then(Mono.defer(() -> connection.isOpen() && !attachment.detached()
                        ? readPage(attachment, "read")
                        : Mono.empty()));
    }

    /** The messages after what the socket has, at most a page of them ({@code mode}: see read.lua). */
    private Mono<ChannelState> readPage(Attachment attachment, String mode) {
        ChannelKeys keys = ChannelKeys.of(redis, attachment.channelId());
        return redis.run(READ, keys.forRead(), attachment.guestId(), serverId, Long.toString(attachment.lastSent()),
                        Long.toString(PRESENCE_SLACK.toMillis()), Integer.toString(REPLAY_PAGE), redis.publishCommand(),
                        mode, Integer.toString(attachment.connection().replayPageBytes()))
                .map(reply -> ChannelState.parse(json, reply));
    }

    /**
     * Makes this attachment the socket's one: a previous one is detached (its channel told the
     * guest left, if it was another). A socket that closed meanwhile is let go again at once.
     */
    private Mono<Void> register(Attachment attachment) {
        Client connection = attachment.connection();
        Attachment previous = byConnection.put(connection.id(), attachment);
        byChannel.computeIfAbsent(attachment.channelId(), id -> ConcurrentHashMap.newKeySet()).add(attachment);
        // The channel expires at the latest this long from now, unless a message moves it on.
        expiryChecks.watch(attachment.channelId(), System.currentTimeMillis() + properties.expiration().toMillis());
        Mono<Void> moved = Mono.empty();
        if (previous != null && previous != attachment) {
            detach(previous);
            if (!previous.channelId().equals(attachment.channelId())) {
                moved = presenceLeft(previous.channelId(), connection.guestId(), Duration.ZERO);
            }
        }
        // Its close may have run before this attachment existed, and found nothing to release.
        return connection.isOpen() ? moved : moved.then(Mono.defer(() -> {
            if (!byConnection.remove(connection.id(), attachment)) {
                return Mono.empty();
            }
            detach(attachment);
            return presenceLeft(attachment.channelId(), connection.guestId(), Duration.ZERO);
        }));
    }

    private Mono<Void> store(Client connection, String channelId, String cmid, String tail) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        String head = "{\"type\":\"message\",\"channelId\":" + quote(channelId) + ",\"seq\":";
        return redis.run(SEND, keys.forSend(), connection.guestId(), cmid, head, tail,
                        Integer.toString(properties.maxMessages()), Long.toString(properties.expiration().toMillis()),
                        redis.publishCommand())
                .flatMap(result -> {
                    if (result.startsWith("ok:") || result.startsWith("dup:")) {
                        if (result.startsWith("ok:")) {
                            relayed.increment();
                        }
                        long seq = Long.parseLong(result.substring(result.indexOf(':') + 1));
                        connection.sendJson("{\"type\":\"ack\",\"cmid\":" + quote(cmid) + ",\"seq\":" + seq + "}");
                        return Mono.empty();
                    }
                    if ("forbidden".equals(result)) {
                        return Mono.error(new FrameException(ErrorCode.NOT_IN_CHANNEL, "you are not in this channel", cmid));
                    }
                    return Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", cmid));
                });
    }

    /** An event on a channel's topic: {@code kind|seq|guest|json}. */
    private void dispatch(String channelId, String event) {
        Set<Attachment> attachments = byChannel.get(channelId);
        if (attachments == null) {
            return;
        }
        int first = event.indexOf('|');
        int second = event.indexOf('|', first + 1);
        int third = event.indexOf('|', second + 1);
        char kind = event.charAt(0);
        long seq = Long.parseLong(event, first + 1, second, 10);
        String guest = event.substring(second + 1, third);
        String frame = event.substring(third + 1);
        for (Attachment attachment : attachments) {
            switch (kind) {
                case 'm' -> {
                    attachment.live(seq, frame);
                    noteCatchUp(attachment);
                }
                case 's' -> {
                    if (!attachment.guestId().equals(guest)) {
                        attachment.connection().sendJson(frame);
                    }
                }
                case 't', 'o' -> {
                    if (!attachment.guestId().equals(guest)) {
                        attachment.connection().sendDroppable(frame);
                    }
                }
                case 'e' -> {
                    attachment.connection().sendJson(frame);
                    byConnection.remove(attachment.connection().id(), attachment);
                    detach(attachment);
                }
                default -> log.warn("unknown event kind {} on channel {}", kind, channelId);
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
        redis.unsubscribe(ChannelKeys.of(redis, attachment.channelId()).topic());
    }

    /**
     * The guest has no socket of this channel here any more, since {@code awayFor}. If it has none
     * anywhere, the peer is told, and the channel ends as gone unless a socket comes back in time.
     */
    private Mono<Void> presenceLeft(String channelId, String guestId, Duration awayFor) {
        if (stillHere(channelId, guestId)) {
            return Mono.empty();
        }
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(PRESENCE, keys.forPresence(), serverId, Long.toString(PRESENCE_SLACK.toMillis()),
                        redis.publishCommand(), "leave", guestId, Long.toString(awayFor.toMillis()))
                .filter(result -> result.startsWith("away:"))
                .flatMap(result -> deadlines.schedule(new GoneDeadlines.Deadline(channelId, guestId, ""),
                        Long.parseLong(result, 5, result.length(), 10) + properties.peerGone().toMillis()));
    }

    private boolean stillHere(String channelId, String guestId) {
        Set<Attachment> attachments = byChannel.get(channelId);
        return attachments != null && attachments.stream().anyMatch(a -> a.guestId().equals(guestId));
    }

    private Mono<Void> channelEnded(ChannelEnd end) {
        return Flux.fromIterable(endListeners.orderedStream().toList())
                .concatMap(listener -> listener.channelEnded(end)
                        .onErrorResume(ex -> {
                            log.warn("cleanup of ended channel {} failed: {}", end.channelId(), ex.toString());
                            return Mono.empty();
                        }))
                .then();
    }

    /**
     * Tells the sockets of channels that expired. Nothing is renewed while sockets idle: each
     * channel held here is looked at once when its expiry falls due (a message since then moved
     * it, and the look says by how much), so the work follows the channels' lives, not a clock.
     */
    @Scheduled(fixedDelayString = EXPIRY_TICK)
    Mono<Void> expiryTick() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(() -> Flux.fromIterable(expiryChecks.takeDue(System.currentTimeMillis()))
                .filter(byChannel::containsKey)
                .concatMap(channelId -> checkExpiry(channelId)
                        .onErrorResume(ex -> {
                            log.debug("expiry check of channel {} failed: {}", channelId, ex.toString());
                            expiryChecks.schedule(channelId, System.currentTimeMillis() + EXPIRY_RETRY.toMillis());
                            return Mono.empty();
                        }))
                .then());
    }

    private Mono<Void> checkExpiry(String channelId) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(PRESENCE, keys.forPresence(), serverId, Long.toString(PRESENCE_SLACK.toMillis()),
                        redis.publishCommand(), "check")
                .flatMap(result -> {
                    if ("gone".equals(result)) {
                        return expired(channelId);
                    }
                    long ttl = Long.parseLong(result, result.indexOf(':') + 1, result.length(), 10);
                    long wait = ttl < 0 ? properties.expiration().toMillis() : ttl + 1;
                    expiryChecks.schedule(channelId, System.currentTimeMillis() + wait);
                    return Mono.empty();
                });
    }

    /**
     * A guest of a server whose presence lapsed (it died) no longer counts as present in this
     * channel; its peer is told, and emits since when the guest counts as away (empty when it is
     * still present through another server, or the channel is not open).
     */
    Mono<Long> serverLapsed(String channelId, String guestId, String deadServer, long lapsedAtMs) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(PRESENCE, keys.forPresence(), deadServer, Long.toString(PRESENCE_SLACK.toMillis()),
                        redis.publishCommand(), "leave", guestId,
                        Long.toString(Math.max(0, System.currentTimeMillis() - lapsedAtMs)))
                .filter(result -> result.startsWith("away:"))
                .map(result -> Long.parseLong(result, 5, result.length(), 10));
    }

    /**
     * This server had been taken for dead (its presence lapsed, e.g. Redis was away that long) and
     * is back: its guests' presence in the channels it holds is made again.
     */
    private Mono<Void> presentAgain() {
        return Flux.fromIterable(new ArrayList<>(byChannel.keySet()))
                .concatMap(channelId -> {
                    List<String> args = new ArrayList<>(List.of(serverId, Long.toString(PRESENCE_SLACK.toMillis()),
                            redis.publishCommand(), "here"));
                    byChannel.getOrDefault(channelId, Set.of()).stream().map(Attachment::guestId).distinct()
                            .forEach(args::add);
                    return redis.run(PRESENCE, ChannelKeys.of(redis, channelId).forPresence(), args.toArray(String[]::new))
                            .onErrorResume(ex -> {
                                log.warn("presence of channel {} not made again: {}", channelId, ex.toString());
                                return Mono.empty();
                            });
                })
                .then();
    }

    private Mono<Void> expired(String channelId) {
        String ended = "{\"type\":\"ended\",\"channelId\":" + quote(channelId) + ",\"by\":\"\",\"reason\":\"expired\"}";
        dispatch(channelId, "e|0||" + ended);
        return channelEnded(ChannelEnd.expired(channelId));
    }

    /**
     * Sockets whose stream has a gap (after a Redis reconnect, or a dropped event) read the log, one
     * page per tick, a few sockets at a time and only while their queue has room for it. The tick
     * looks only at the sockets noted as needing it, never at them all.
     */
    @Scheduled(fixedDelayString = "${chat.channel.catch-up-interval:250ms}")
    Mono<Void> catchUp() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(this::catchUpNow);
    }

    private Mono<Void> catchUpNow() {
        if (catchUps.isEmpty() && verifications.isEmpty()) {
            return Mono.empty();
        }
        return verifyNow().then(Mono.defer(this::readGapsNow));
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
                .flatMap(attachment -> read(attachment.channelId(), attachment.guestId(), attachment.lastSent(), 0)
                        .filter(state -> !state.open() || state.lastSeq() > attachment.lastSent())
                        .onErrorResume(ex -> Mono.just(ChannelState.parse(json, "{\"st\":\"gone\"}")))
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
                    // No room for a page yet: looked at again on the next tick.
                    catchUps.add(attachment);
                    return false;
                })
                .filter(Attachment::beginCatchUp)
                .flatMap(attachment -> readPage(attachment, "read")
                        .map(page -> writePage(attachment, page, false))
                        .onErrorResume(ex -> {
                            attachment.liveFrom(attachment.lastSent(), () -> { });
                            noteCatchUp(attachment);
                            return Mono.empty();
                        }), CATCH_UP_PARALLELISM)
                .then();
    }

    /** Queues the socket for the catch-up tick if its stream has a gap. */
    private void noteCatchUp(Attachment attachment) {
        if (attachment.catchUpNeeded()) {
            catchUps.add(attachment);
        }
    }

    /** Redis was away: every socket's stream may have missed what Pub/Sub dropped meanwhile. */
    private void markAllForCatchUp() {
        verifications.addAll(byConnection.values());
    }

    /** The channel this socket is attached to; {@code not_in_channel} (answering {@code ref}) when none. */
    public String channelOf(Client connection, String ref) {
        return attachmentOf(connection, ref).channelId();
    }

    private Attachment attachmentOf(Client connection, String ref) {
        Attachment attachment = byConnection.get(connection.id());
        if (attachment == null) {
            throw new FrameException(ErrorCode.NOT_IN_CHANNEL, "join a channel first", ref);
        }
        return attachment;
    }

    private static String quote(String value) {
        return JsonText.quote(value);
    }
}
