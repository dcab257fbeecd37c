package dev.randomchat.call;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import dev.randomchat.chat.ChannelEndListener;
import dev.randomchat.chat.ChannelEndListener.ChannelEnd;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.system.JsonText;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;

/**
 * Video and voice calls inside a channel (protocol 7.2): {@code media} requests, accepts, declines
 * and hangups, and the {@code signal} frames (SDP, ICE candidates) of an accepted call.
 *
 * <p>A channel has at most one call. Its state lives in Redis beside the channel's keys and changes
 * only in {@code media.lua}, which also publishes the frame on the channel's topic, so the two
 * guests may be on any servers. Like typing, the frames go to the peer's sockets only and are never
 * stored, numbered or replayed. When the channel ends, {@code chat/leave.lua} publishes the
 * server's hangup before {@code ended}.
 */
@Service
public class CallService implements ChannelEndListener {

    private static final LuaScript MEDIA = LuaScript.load(CallService.class, "media.lua");
    private static final LuaScript OVER = LuaScript.load(CallService.class, "over.lua");

    private final Redis redis;
    private final ChannelService channels;
    private final CallMetrics metrics;
    private final CallProperties properties;
    /** The call state lives as long as an idle channel, renewed by every frame of the call. */
    private final String stateTtlMillis;

    CallService(Redis redis, ChannelService channels, CallMetrics metrics, CallProperties properties,
            ChannelProperties channel) {
        this.redis = redis;
        this.channels = channels;
        this.metrics = metrics;
        this.properties = properties;
        this.stateTtlMillis = Long.toString(channel.expiration().toMillis());
    }

    /** The largest {@code signal} frame a socket may send, in UTF-8 bytes. */
    public int maxSignalBytes() {
        return properties.maxSignalBytes();
    }

    /** A {@code media} frame: {@code kinds} is empty for decline and hangup. */
    public Mono<Void> media(Client connection, String action, String callId, List<String> kinds) {
        String channelId = channels.channelOf(connection, "media");
        StringBuilder frame = new StringBuilder("{\"type\":\"media\",\"from\":").append(quote(connection.guestId()))
                .append(",\"action\":").append(quote(action))
                .append(",\"callId\":").append(quote(callId));
        if (!kinds.isEmpty()) {
            frame.append(",\"kinds\":[").append(String.join(",", kinds.stream().map(JsonText::quote).toList()))
                    .append(']');
        }
        frame.append('}');
        return run(connection, channelId, action, callId, String.join(",", kinds), frame.toString(), "media");
    }

    /** A {@code signal} frame; {@code data} is the client's JSON object, re-encoded compactly. */
    public Mono<Void> signal(Client connection, String callId, String data) {
        String channelId = channels.channelOf(connection, "signal");
        String frame = "{\"type\":\"signal\",\"from\":" + quote(connection.guestId()) + ",\"callId\":" + quote(callId)
                + ",\"data\":" + data + "}";
        return run(connection, channelId, "signal", callId, "", frame, "signal");
    }

    private Mono<Void> run(Client connection, String channelId, String action, String callId, String kinds,
            String frame, String ref) {
        CallKeys keys = CallKeys.of(redis, channelId);
        return redis.run(MEDIA, List.of(keys.meta(), keys.call(), keys.topic()), connection.guestId(), action, callId,
                        kinds, redis.publishCommand(), frame, stateTtlMillis)
                .flatMap(result -> {
                    if (result.startsWith("ok|")) {
                        metrics.outcome(result.substring(3));
                        return Mono.empty();
                    }
                    return Mono.error(refusal(result, ref));
                });
    }

    private static FrameException refusal(String result, String ref) {
        return switch (result) {
            case "busy" -> FrameException.badRequest("a call is already in progress; hang up first", ref);
            case "no_request" -> FrameException.badRequest("there is no pending request from your peer with this callId", ref);
            case "no_call" -> FrameException.badRequest("there is no accepted call with this callId", ref);
            case "forbidden" -> new FrameException(ErrorCode.NOT_IN_CHANNEL, "you are not in this channel", ref);
            default -> new FrameException(ErrorCode.CHANNEL_CLOSED, "the channel is closed", ref);
        };
    }

    /** Counts, once, the call that ended with its channel (its hangup went out with {@code ended}). */
    @Override
    public Mono<Void> channelEnded(ChannelEnd end) {
        return redis.run(OVER, List.of(CallKeys.of(redis, end.channelId()).call()))
                .filter(state -> !state.isEmpty())
                .doOnNext(metrics::endedWithChannel)
                .then();
    }

    private static String quote(String value) {
        return JsonText.quote(value);
    }
}
