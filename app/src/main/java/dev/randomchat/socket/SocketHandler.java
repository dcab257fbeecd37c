package dev.randomchat.socket;

import java.time.Duration;

import io.netty.handler.codec.TooLongFrameException;

import io.netty.channel.group.ChannelGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.GuestAuth;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.MatchService;
import dev.randomchat.system.ClientAddress;
import dev.randomchat.system.RandomIds;

/**
 * One socket's life: {@code hello}, then a reader that decodes and serves frames strictly in
 * order, and a writer that drains the connection's bounded queue and pings. Whatever ends the
 * socket (client close, idle timeout, server close, cancel), the features' cleanup runs.
 */
class SocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(SocketHandler.class);

    private final SocketProperties properties;
    private final Connections connections;
    /** The server's Netty connections, to find the channel under a session. */
    private final ChannelGroup channels;
    private final GuestAuth auth;
    private final FrameDecoder decoder;
    private final JsonMapper json;
    private final MatchService matching;
    private final ChannelService chat;
    private final Outbound.Limits limits;
    /** Room for a full replay of a channel's log on top of the live queue. */
    private final int capacity;

    SocketHandler(SocketProperties properties, Connections connections, GuestAuth auth, JsonMapper json,
            MatchService matching,
            ChannelService chat, ChannelGroup channels, long maxUploadBytes, int replayAllowance) {
        this.channels = channels;
        this.properties = properties;
        this.connections = connections;
        this.auth = auth;
        this.json = json;
        this.matching = matching;
        this.chat = chat;
        this.decoder = new FrameDecoder(json, properties.maxMessageBytes(), properties.maxTextChars());
        this.capacity = properties.outboundQueue() + replayAllowance;
        this.limits = new Outbound.Limits(properties.maxMessageBytes(), properties.maxTextChars(), maxUploadBytes);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        HandshakeInfo handshake = session.getHandshakeInfo();
        // The upgrade filter already refused anyone without a valid guest token.
        Guest guest = auth.guest(handshake.getHeaders(), handshake.getCookies()).orElseThrow();
        String ip = ClientAddress.of(handshake.getRemoteAddress());
        return Mono.usingWhen(
                Mono.fromSupplier(() -> open(guest, ip)),
                connection -> serve(session, connection),
                this::closed,
                (connection, error) -> closed(connection),
                this::closed);
    }

    private Connection open(Guest guest, String ip) {
        Connection connection = new Connection(RandomIds.next(), guest, ip, json, properties, capacity, connections::tooSlow,
                connections::rejected);
        connections.add(connection);
        connection.send(new Outbound.Hello(new Outbound.Peer(guest.id(), guest.name()), limits));
        return connection;
    }

    private Mono<Void> serve(WebSocketSession session, Connection connection) {
        Mono<Void> input = session.receive()
                .concatMap(message -> serveFrame(connection, message))
                .then()
                .onErrorResume(TooLongFrameException.class, ex -> session.close(CloseStatus.TOO_BIG_TO_PROCESS));
        // Watches for silence without cancelling the reader, so the close goes out as 1001.
        Mono<Void> idle = Flux.interval(idleCheck())
                .filter(tick -> connection.silentFor().compareTo(properties.idleTimeout()) >= 0)
                .next()
                .flatMap(tick -> Mono.<Void>fromRunnable(() -> connection.close(CloseStatus.GOING_AWAY)))
                .takeUntilOther(connection.closed());
        Flux<WebSocketMessage> pings = Flux.interval(properties.pingInterval())
                .map(tick -> session.pingMessage(buffers -> buffers.wrap(new byte[0])))
                .takeUntilOther(connection.closed());
        Writability writability = Writability.of(session, channels);
        Flux<WebSocketMessage> frames = connection.outbound()
                .concatMap(frame -> writability.whenWritable().thenReturn(session.textMessage(frame)), 1);
        Mono<Void> output = session.send(frames.mergeWith(pings))
                .then(Mono.defer(() -> session.close(connection.closeStatus())));
        // A client too slow to read is dropped at once, without writing what is still queued.
        Mono<Void> abandon = connection.abandoned().then(Mono.defer(() -> session.close(Connection.TOO_SLOW)));
        return Mono.firstWithSignal(input, Mono.when(output, idle), abandon);
    }

    /** Silence is checked ten times per idle timeout, so a socket is closed at most 10% late. */
    private Duration idleCheck() {
        return properties.idleTimeout().dividedBy(10);
    }

    private Mono<Void> serveFrame(Connection connection, WebSocketMessage message) {
        connection.heard();
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            if (message.getType() == WebSocketMessage.Type.BINARY) {
                connection.error(FrameException.badRequest("binary frames are not supported; send JSON text", null));
            }
            return Mono.empty();
        }
        Inbound frame;
        try {
            frame = decoder.decode(message.getPayloadAsText());
        }
        catch (FrameException ex) {
            connection.error(ex);
            return Mono.empty();
        }
        if (!(frame instanceof Inbound.Ping) && !connection.rateLimiter().tryAcquire()) {
            connection.error(new FrameException(ErrorCode.RATE_LIMITED, "slow down: too many frames", refOf(frame)));
            return Mono.empty();
        }
        return Mono.defer(() -> dispatch(connection, frame))
                .onErrorResume(FrameException.class, ex -> Mono.fromRunnable(() -> connection.error(ex)))
                .onErrorResume(ex -> Mono.fromRunnable(() -> failed(connection, frame, ex)));
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
            return matching.match(connection, match.interests());
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
            return chat.report(connection, report.reason(), report.note());
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
        connection.close(CloseStatus.NORMAL);
        connections.remove(connection);
        return Mono.when(
                matching.closed(connection).onErrorResume(ex -> cleanupFailed(connection, ex)),
                chat.closed(connection).onErrorResume(ex -> cleanupFailed(connection, ex)));
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
