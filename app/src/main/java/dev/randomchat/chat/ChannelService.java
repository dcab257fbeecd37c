package dev.randomchat.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.auth.TokenService;
import dev.randomchat.chat.ChannelEndListener.ChannelEnd;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;
import dev.randomchat.system.Throttle;

/**
 * Channel commands: enter (a new pair), join and resume, send, seen, typing, leave and end.
 *
 * <p>Each message is numbered, stored and published by one script ({@code send.lua}). A server
 * subscribes to a channel's topic while it holds one of its sockets; the sockets attached here and
 * the delivery of events to them are {@link Attachments}'s, presence and expiry
 * {@link ChannelPresence}'s, the event format {@link ChannelEvent}'s.
 */
@Service
public class ChannelService {

    /**
     * An ended channel's keys are kept this long, or for the report window when that is longer,
     * so late joins learn it ended and reports still find the evidence; then they go.
     */
    static final Duration CLOSED_RETENTION = Duration.ofMinutes(5);
    /** A replay or catch-up reads the log in pages of at most this many messages (and the socket's page bytes). */
    public static final int REPLAY_PAGE = 100;
    /** Departures (leave.lua and a deadline each) in flight at once; a burst queues behind them. */
    private static final int DEPARTURES_AT_ONCE = 16;

    private static final LuaScript ENTER = LuaScript.load(ChannelService.class, "enter.lua");
    private static final LuaScript SEND = LuaScript.load(ChannelService.class, "send.lua");
    private static final LuaScript SEEN = LuaScript.load(ChannelService.class, "seen.lua");
    private static final LuaScript LEAVE = LuaScript.load(ChannelService.class, "leave.lua");
    private static final LuaScript ADD_FILE = LuaScript.load(ChannelService.class, "add-file.lua");

    private final Redis redis;
    private final String serverId;
    private final TokenService tokens;
    private final ChannelProperties properties;
    private final Attachments attachments;
    private final ChannelLog channelLog;
    private final ChannelPresence presence;
    private final ChannelEnds ends;
    private final Counter relayed;
    private final Counter resumes;
    /** Leaves after the grace, a few at a time: sockets that closed together do not reach Redis together. */
    private final Throttle departures = new Throttle(DEPARTURES_AT_ONCE);

    ChannelService(Redis redis, ServerId serverId, TokenService tokens, ChannelProperties properties,
            Attachments attachments, ChannelLog channelLog, ChannelPresence presence, ChannelEnds ends,
            MeterRegistry meters) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.tokens = tokens;
        this.properties = properties;
        this.attachments = attachments;
        this.channelLog = channelLog;
        this.presence = presence;
        this.ends = ends;
        this.relayed = Counter.builder("chat.messages.relayed").description("Chat messages stored and published")
                .register(meters);
        this.resumes = Counter.builder("chat.resumes").description("Joins of an existing channel (resumes)")
                .register(meters);
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
                Long.toString(ChannelPresence.SLACK.toMillis()), redis.publishCommand()));
        // Each guest entering here once, with the address of its first socket: "<guest>|<address>".
        Set<String> entering = new HashSet<>(2);
        for (Arrival arrival : arrivals) {
            Client socket = arrival.connection();
            if (entering.add(socket.guestId())) {
                args.add(socket.guestId() + "|" + socket.ip());
            }
        }
        Mono<String> entered = redis.run(ENTER, keys.forPresence(), args.toArray(String[]::new));
        if (arrivals.isEmpty()) {
            return entered.map(result -> result.startsWith("open:") ? "open" : result);
        }
        return Mono.defer(() -> {
            AtomicBoolean attached = new AtomicBoolean();
            return attachments.subscribe(channelId, arrivals.size())
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
                                    attachments.goLive(attachment, lastSeq, arrival.announce());
                                    return moved;
                                })
                                .then(Mono.just("open"));
                    })
                    .doFinally(signal -> {
                        if (!attached.get()) {
                            attachments.unsubscribe(channelId, arrivals.size());
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
        Attachment attachment = attachments.of(connection, cmid);
        String tail = ChannelFrames.textTail(cmid, connection.guestId(), Instant.now().toString(), text);
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
        Attachment attachment = attachments.of(connection, cmid);
        ChannelKeys keys = ChannelKeys.of(redis, attachment.channelId());
        return redis.commands()
                .hget(keys.files(), fileId)
                .switchIfEmpty(Mono.error(() -> new FrameException(ErrorCode.UNKNOWN_FILE,
                        "no such file in this channel", cmid)))
                .flatMap(file -> {
                    String tail = ChannelFrames.fileTail(cmid, connection.guestId(), Instant.now().toString(), file);
                    return store(connection, attachment.channelId(), cmid, tail);
                });
    }

    public Mono<Void> seen(Client connection, long seq) {
        Attachment attachment = attachments.of(connection, "seen");
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
        Attachment attachment = attachments.of(connection, "typing");
        ChannelEvent event = new ChannelEvent(ChannelEvent.Kind.TYPING, 0, connection.guestId(),
                ChannelFrames.typing(connection.guestId(), active));
        return redis.publish(ChannelKeys.of(redis, attachment.channelId()).topic(), event.encode());
    }

    public Mono<Void> leave(Client connection, boolean block) {
        Attachment attachment = attachments.of(connection, "leave");
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
        String ended = ChannelFrames.ended(channelId, by, reason);
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
                    CompletableFuture<Void> cleanup = ends.ended(new ChannelEnd(channelId, List.of(pair[1], pair[2]), block))
                            .toFuture();
                    return Mono.fromFuture(cleanup, true).thenReturn("ended");
                });
    }

    /** Emits the last messages of a channel (up to {@code limit}) for reports and evidence. */
    public Mono<ChannelState> read(String channelId, String guestId, long after, int limit) {
        return channelLog.read(channelId, guestId, after, limit);
    }

    /** The channel this socket is attached to, if any. */
    public String channelOf(Client connection) {
        return attachments.channelOf(connection);
    }

    /** The channel this socket is attached to; {@code not_in_channel} (answering {@code ref}) when none. */
    public String channelOf(Client connection, String ref) {
        return attachments.of(connection, ref).channelId();
    }

    /** The socket closed: after the grace, its guest counts as gone from the channel unless back. */
    public Mono<Void> closed(Client connection) {
        Attachment attachment = attachments.remove(connection);
        if (attachment == null) {
            return Mono.empty();
        }
        return Mono.delay(ChannelPresence.GRACE)
                .then(departures.run(() -> presence.left(attachment.channelId(), connection.guestId(), ChannelPresence.GRACE)));
    }

    /** Joins with a replay of the messages after {@code after}, then {@code joined}. */
    private Mono<Void> attach(Client connection, String channelId, long after) {
        Attachment attachment = new Attachment(connection, channelId, after);
        return attachments.subscribe(channelId, 1)
                .then(Mono.defer(() -> channelLog.page(attachment, true)))
                .onErrorResume(ex -> {
                    attachments.unsubscribe(channelId, 1);
                    return Mono.error(ex);
                })
                .flatMap(state -> {
                    if (!state.open() || !state.member(connection.guestId())) {
                        attachments.unsubscribe(channelId, 1);
                        return Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", "join"));
                    }
                    Mono<Void> moved = register(attachment);
                    return Mono.when(moved, attachments.replay(attachment, state));
                });
    }

    /**
     * Makes this attachment the socket's one: a previous one is detached (its channel told the
     * guest left, if it was another). A socket that closed meanwhile is let go again at once.
     */
    private Mono<Void> register(Attachment attachment) {
        List<String> left = attachments.register(attachment);
        presence.watchExpiry(attachment.channelId());
        return presence.left(left, attachment.guestId(), Duration.ZERO);
    }

    private Mono<Void> store(Client connection, String channelId, String cmid, String tail) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(SEND, keys.forSend(), connection.guestId(), cmid, ChannelFrames.messageHead(channelId), tail,
                        Integer.toString(properties.maxMessages()), Long.toString(properties.expiration().toMillis()),
                        redis.publishCommand())
                .flatMap(result -> {
                    if (result.startsWith("ok:") || result.startsWith("dup:")) {
                        if (result.startsWith("ok:")) {
                            relayed.increment();
                        }
                        long seq = Long.parseLong(result.substring(result.indexOf(':') + 1));
                        connection.sendJson(ChannelFrames.ack(cmid, seq));
                        return Mono.empty();
                    }
                    if ("forbidden".equals(result)) {
                        return Mono.error(new FrameException(ErrorCode.NOT_IN_CHANNEL, "you are not in this channel", cmid));
                    }
                    return Mono.error(new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", cmid));
                });
    }
}
