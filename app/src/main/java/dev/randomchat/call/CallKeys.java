package dev.randomchat.call;

import dev.randomchat.system.Redis;

/**
 * The keys a call touches: its own state and, under the same {@code {channelId}} hash tag, the
 * channel's meta and topic (named as in {@code chat.ChannelKeys}, which also hands the call key to
 * {@code leave.lua}).
 */
record CallKeys(String meta, String call, String topic) {

    static CallKeys of(Redis redis, String channelId) {
        String tag = "{" + channelId + "}";
        return new CallKeys(redis.key("ch", tag, "meta"), redis.key("ch", tag, "call"), redis.key("ch", tag, "events"));
    }
}
