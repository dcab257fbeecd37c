package dev.randomchat.chat;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

/**
 * Reads a channel's state and messages ({@code read.lua}): a socket's replay and catch-up pages,
 * and reads for reports and the history API.
 */
@Component
class ChannelLog {

    private static final LuaScript READ = LuaScript.load(ChannelLog.class, "read.lua");

    private final Redis redis;
    private final String serverId;
    private final JsonMapper json;

    ChannelLog(Redis redis, ServerId serverId, JsonMapper json) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.json = json;
    }

    /** The channel's state and at most {@code limit} messages after {@code after} (none for 0). */
    Mono<ChannelState> read(String channelId, String guestId, long after, int limit) {
        ChannelKeys keys = ChannelKeys.of(redis, channelId);
        return redis.run(READ, keys.forRead(), guestId, serverId, Long.toString(after),
                        Long.toString(ChannelPresence.SLACK.toMillis()), Integer.toString(limit), redis.publishCommand(),
                        "read")
                .map(reply -> ChannelState.parse(json, reply));
    }

    /**
     * The messages after what the socket has: at most {@link ChannelService#REPLAY_PAGE} of them
     * and its page's bytes. A {@code join} page also marks the guest present here and keeps the
     * socket's address with the channel (see read.lua).
     */
    Mono<ChannelState> page(Attachment attachment, boolean join) {
        ChannelKeys keys = ChannelKeys.of(redis, attachment.channelId());
        return redis.run(READ, keys.forRead(), attachment.guestId(), serverId, Long.toString(attachment.lastSent()),
                        Long.toString(ChannelPresence.SLACK.toMillis()), Integer.toString(ChannelService.REPLAY_PAGE),
                        redis.publishCommand(), join ? "join" : "read",
                        Integer.toString(attachment.connection().replayPageBytes()), attachment.connection().ip())
                .map(reply -> ChannelState.parse(json, reply));
    }
}
