package dev.randomchat.socket;

import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;
import dev.randomchat.call.CallService;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.MatchService;
import dev.randomchat.presence.ServerPresence;
import dev.randomchat.protocol.CloseCode;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameDecoder;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Inbound;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.safety.Aftermath;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.system.RandomIds;

/**
 * One socket's life: {@code hello}, then a reader that decodes and serves frames strictly in
 * order, and a writer that drains the connection's bounded queue. Whatever ends the socket
 * (client close, idle timeout, server close, cancel), the features' cleanup runs. Pings and the
 * idle timeout are driven for all sockets at once by {@link Heartbeat}.
 */
class SocketHandler {

    private static final Logger log = LoggerFactory.getLogger(SocketHandler.class);

    /** What the reader passes on for a frame that is not text: a binary frame, or a control frame. */
    private static final String BINARY = new String("binary");
    private static final String CONTROL = new String("control");
    /** How long a close frame may wait for a client to read before the connection is dropped. */
    private static final Duration CLOSE_FRAME_WAIT = Duration.ofSeconds(5);
    /** A server's ping frame as it goes on the wire: FIN and opcode 9, no mask, no payload (RFC 6455, 5.2). */
    private static final ByteBuf PING_FRAME = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2, 2).writeByte(0x89).writeByte(0x00));

    private final SocketProperties properties;
    private final Connections connections;
    private final FrameDecoder decoder;
    private final JsonMapper json;
    private final MatchService matching;
    private final ChannelService chat;
    private final CallService calls;
    private final Aftermath aftermath;
    private final ServerPresence presence;
    private final Outbound.Limits limits;
    private final MinuteLimit joins;
    /** Room for one replay page on top of the live queue. */
    private final int capacity;

    SocketHandler(SocketProperties properties, Connections connections, JsonMapper json, MatchService matching,
            ChannelService chat, Aftermath aftermath, ServerPresence presence, CallService calls,
            MinuteLimit joins, long maxUploadBytes, int replayAllowance) {
        this.properties = properties;
        this.calls = calls;
        this.connections = connections;
        this.json = json;
        this.matching = matching;
        this.chat = chat;
        this.aftermath = aftermath;
        this.presence = presence;
        this.joins = joins;
        this.decoder = new FrameDecoder(json, properties.maxMessageBytes(), properties.maxTextChars(),
                calls.maxSignalBytes());
        this.capacity = properties.outboundQueue() + replayAllowance;
        this.limits = new Outbound.Limits(properties.maxMessageBytes(), properties.maxTextChars(), maxUploadBytes,
                calls.maxSignalBytes());
    }

    /** Serves an upgraded socket of {@code guest}, who connected from {@code ip}. */
    Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, Guest guest, String ip) {
        Channel channel = channelOf(out);
        return Mono.usingWhen(
                Mono.fromSupplier(() -> open(guest, ip, channel)),
                connection -> serve(in, out, connection, channel),
                this::closed,
                (connection, error) -> closed(connection),
                this::closed);
    }

    private Connection open(Guest guest, String ip, Channel channel) {
        Connection connection = new Connection(RandomIds.next(), guest, ip, json, properties, capacity,
                connections.budget(), connections::tooSlow, connections::rejected);
        if (channel != null) {
            // Before it is added: the socket is kept with the other sockets of its event loop, whose
            // own timer pings them (Heartbeat).
            ChannelHandlerContext frameEncoder = channel.pipeline().context(WebSocketFrameEncoder.class);
            connection.servedOn(channel.eventLoop(), () -> writePing(channel, frameEncoder));
        }
        connections.add(connection);
        connection.send(new Outbound.Hello(new Outbound.Peer(guest.id(), guest.name()), limits));
        return connection;
    }

    private Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, Connection connection, Channel channel) {
        // The upgrade request's headers were read before the upgrade (SocketRoute) and are not read
        // again, but Reactor Netty keeps the request for as long as the socket is open: about 1.5 KB
        // of header entries a socket, more with a browser's (bench/RESULTS.md, "Footprint").
        in.headers().clear();
        // Frames are read into strings at once: Netty frees a frame's buffer when this map returns.
        // One frame at a time: while one is served (a long replay), the client's next frames stay
        // in its TCP window, not in this server's memory.
        Mono<Void> input = in.aggregateFrames(SocketRoute.MAX_FRAME_PAYLOAD)
                .receiveFrames()
                .map(SocketHandler::textOf)
                .concatMap(text -> serveFrame(connection, text), 1)
                .then()
                .onErrorResume(TooLongFrameException.class, ex -> close(out, CloseCode.TOO_BIG));
        if (channel != null) {
            Pongs.take(channel, connection);
        }
        Writability writability = Writability.of(channel);
        Flux<WebSocketFrame> frames = connection.outbound()
                .concatMap(frame -> writability.whenWritable().then(Mono.fromCallable(() -> handOver(connection, frame))), 1);
        Mono<Void> output = out.sendObject(frames).then()
                .then(Mono.defer(() -> close(out, connection.closeCode(), channel)));
        // A client too slow to read is dropped at once, without writing what is still queued.
        Mono<Void> abandon = connection.abandoned().then(Mono.defer(() -> close(out, CloseCode.TOO_SLOW, channel)));
        // Counted online across servers in the next presence batch; the close below uncounts it.
        // Nothing waits for that batch (it lingers, ServerPresence.LINGER): a socket that closes
        // at once is cleaned up at once, its guest out of the queue before anyone can be paired
        // with it (a test paired the next visitor with a guest whose socket had just closed).
        presence.opened(connection.guestId()).subscribe(null, ex -> cleanupFailed(connection, ex));
        return Mono.firstWithSignal(input, output, abandon);
    }

    /**
     * A ping written straight to the channel (on its event loop), between whole frames of the
     * writer's: an idle socket's ping costs no trip through its queue and the reactive writer.
     * Its two bytes are encoded once for every socket and handed to what lies below the frame
     * encoder (the socket, or TLS), so a ping allocates no buffer and visits no other handler:
     * pings are most of what an idle server does (bench/RESULTS.md). A channel above its
     * high-water mark gets none: its client is not idle but slow, which the stall timeout watches.
     */
    private static void writePing(Channel channel, ChannelHandlerContext frameEncoder) {
        if (channel.isActive() && channel.isWritable()) {
            // A failed write (the channel closing meanwhile) stays in its future: nothing to do.
            if (frameEncoder != null && !frameEncoder.isRemoved()) {
                frameEncoder.writeAndFlush(PING_FRAME.duplicate());
            }
            else {
                channel.writeAndFlush(new PingWebSocketFrame());
            }
        }
    }

    private static Channel channelOf(WebsocketOutbound out) {
        Channel[] channel = new Channel[1];
        out.withConnection(connection -> channel[0] = connection.channel());
        return channel[0];
    }

    /**
     * The close frame; when the connection is already gone (the client vanished without one) there
     * is nothing to close, and the failed write is not an error (it used to reach Reactor's
     * dropped-error log with a stack trace, once per abrupt disconnect).
     */
    private static Mono<Void> close(WebsocketOutbound out, CloseCode code) {
        return out.sendClose(code.code(), code.status().getReason()).onErrorComplete(AbortedException.class);
    }

    /**
     * Sends the close frame; a client that does not read may never take it, so after a while the
     * connection is simply dropped, and with it what Netty still holds for it.
     */
    private static Mono<Void> close(WebsocketOutbound out, CloseCode code, Channel channel) {
        return close(out, code)
                .timeout(CLOSE_FRAME_WAIT, Mono.fromRunnable(() -> {
                    if (channel != null) {
                        channel.close();
                    }
                }));
    }

    private static String textOf(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            return text.text();
        }
        return frame instanceof BinaryWebSocketFrame ? BINARY : CONTROL;
    }

    /** The frame leaves the connection's queue (and its byte count) as Netty takes it. */
    private static WebSocketFrame handOver(Connection connection, String frame) {
        connection.written(frame);
        return toFrame(frame);
    }

    private static WebSocketFrame toFrame(String frame) {
        return frame == Connection.PING ? new PingWebSocketFrame() : new TextWebSocketFrame(frame);
    }

    private Mono<Void> serveFrame(Connection connection, String text) {
        connection.heard();
        if (text == CONTROL) {
            return Mono.empty();
        }
        if (text == BINARY) {
            refuse(connection, FrameException.badRequest("binary frames are not supported; send JSON text", null));
            return Mono.empty();
        }
        Inbound frame;
        try {
            frame = decoder.decode(text);
        }
        catch (FrameException ex) {
            refuse(connection, ex);
            return Mono.empty();
        }
        RateLimiter limiter = frame instanceof Inbound.Signal ? connection.signalLimiter() : connection.rateLimiter();
        if (!(frame instanceof Inbound.Ping) && !limiter.tryAcquire()) {
            connection.error(rateLimited("slow down: too many frames", refOf(frame)));
            return Mono.empty();
        }
        return toTheEnd(limitJoins(connection, frame)
                .then(Mono.defer(() -> dispatch(connection, frame)))
                .onErrorResume(FrameException.class, ex -> Mono.fromRunnable(() -> connection.error(ex)))
                .onErrorResume(ex -> Mono.fromRunnable(() -> failed(connection, frame, ex))));
    }

    /**
     * A frame the server began to serve is served to the end, even when the socket closes meanwhile
     * and the reader is cancelled: a client that sends {@code cancel} (or {@code leave}) and closes at
     * once must still leave the queue (or the channel). Cancelling would not undo what Redis already
     * ran, but a Lettuce command cancelled before it is written is never sent, so a cancel could be
     * lost and its guest stay queued, to be paired as a ghost. At most one frame per socket outlives
     * it this way; frames still queued behind it are not served.
     */
    private static Mono<Void> toTheEnd(Mono<Void> serving) {
        return Mono.create(sink -> serving.subscribe(null, sink::error, sink::success));
    }

    /** A frame that failed to decode costs the socket's rate like any other; over it, the answer is the limit. */
    private static void refuse(Connection connection, FrameException ex) {
        connection.error(connection.rateLimiter().tryAcquire() ? ex : rateLimited("slow down: too many frames", ex.ref()));
    }

    /**
     * {@code join} and {@code match} each cost Redis a script: they count against the guest's limit.
     * A {@code join} is counted here; a {@code match} by the match script itself, in the same step.
     */
    private Mono<Void> limitJoins(Connection connection, Inbound frame) {
        if (!(frame instanceof Inbound.Join)) {
            return Mono.empty();
        }
        return joins.tryAcquire(connection.guestId())
                .flatMap(allowed -> allowed ? Mono.<Void>empty()
                        : Mono.error(rateLimited("too many joins and matches; wait a minute", refOf(frame))));
    }

    private static FrameException rateLimited(String message, String ref) {
        return new FrameException(ErrorCode.RATE_LIMITED, message, ref);
    }

    private Mono<Void> dispatch(Connection connection, Inbound frame) {
        if (frame instanceof Inbound.Ping) {
            return Mono.fromRunnable(() -> connection.send(new Outbound.Pong()));
        }
        if (frame instanceof Inbound.Send send) {
            return chat.send(connection, send.cmid(), send.text());
        }
        if (frame instanceof Inbound.Typing typing) {
            return chat.typing(connection, typing.active());
        }
        if (frame instanceof Inbound.Seen seen) {
            return chat.seen(connection, seen.seq());
        }
        if (frame instanceof Inbound.Match match) {
            return matching.match(connection, match.interests(), joins);
        }
        if (frame instanceof Inbound.Cancel) {
            return matching.cancel(connection);
        }
        if (frame instanceof Inbound.Join join) {
            return chat.join(connection, join.token(), join.after());
        }
        if (frame instanceof Inbound.PostFile file) {
            return chat.postFile(connection, file.cmid(), file.fileId());
        }
        if (frame instanceof Inbound.Leave leave) {
            return chat.leave(connection, leave.block());
        }
        if (frame instanceof Inbound.Report report) {
            return aftermath.report(connection, report.reason(), report.note(), report.channelId(), report.token());
        }
        if (frame instanceof Inbound.Block block) {
            return aftermath.block(connection, block.channelId(), block.token());
        }
        if (frame instanceof Inbound.Media media) {
            return calls.media(connection, media.action(), media.callId(), media.kinds());
        }
        if (frame instanceof Inbound.Signal signal) {
            return calls.signal(connection, signal.callId(), signal.data());
        }
        return Mono.error(new IllegalStateException("no handler for " + frame));
    }

    private void failed(Connection connection, Inbound frame, Throwable ex) {
        log.warn("frame {} from guest {} failed: {}", frame.getClass().getSimpleName(), connection.guestId(),
                ex.toString());
        connection.send(new Outbound.Error(ErrorCode.INTERNAL, "the server could not do that now; try again",
                refOf(frame)));
    }

    private Mono<Void> closed(Connection connection) {
        connection.close(CloseCode.NORMAL);
        connection.release();
        connections.remove(connection);
        return Mono.when(
                matching.closed(connection).onErrorResume(ex -> cleanupFailed(connection, ex)),
                chat.closed(connection).onErrorResume(ex -> cleanupFailed(connection, ex)),
                presence.closed(connection.guestId()).onErrorResume(ex -> cleanupFailed(connection, ex)));
    }

    private static Mono<Void> cleanupFailed(Connection connection, Throwable ex) {
        log.warn("cleanup for guest {} failed: {}", connection.guestId(), ex.toString());
        return Mono.empty();
    }

    private static String refOf(Inbound frame) {
        if (frame instanceof Inbound.Send send) {
            return send.cmid();
        }
        if (frame instanceof Inbound.PostFile file) {
            return file.cmid();
        }
        String simple = frame.getClass().getSimpleName();
        return switch (simple) {
            case "PostFile" -> "file";
            default -> Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
        };
    }
}
