package dev.randomchat.chat;

import java.util.List;

import dev.randomchat.system.Redis;

/**
 * A channel's keys and topic. They share the {@code {channelId}} hash tag, so one script can touch
 * them all on a Redis Cluster, and the topic is published on the shard that holds them.
 */
public record ChannelKeys(String meta, String log, String cmids, String presence, String files, String topic) {

    public static ChannelKeys of(Redis redis, String channelId) {
        String base = base(redis, channelId);
        return new ChannelKeys(base + "meta", base + "log", base + "cmids", base + "presence", base + "files",
                base + "events");
    }

    /** The channel's topic alone, without the keys. */
    static String topic(Redis redis, String channelId) {
        return base(redis, channelId) + "events";
    }

    /** What every key of the channel starts with: the prefix, {@code ch} and the hash tag. */
    private static String base(Redis redis, String channelId) {
        return redis.key("ch", "{" + channelId + "}") + ":";
    }

    List<String> forSend() {
        return List.of(meta, log, cmids, files, presence, topic);
    }

    List<String> forRead() {
        return List.of(meta, log, presence, topic);
    }

    List<String> forLeave() {
        return List.of(meta, log, cmids, presence, files, topic, call());
    }

    /** The channel's call (video and voice), kept by the call feature under the same hash tag. */
    String call() {
        return meta.substring(0, meta.length() - "meta".length()) + "call";
    }

    List<String> forPresence() {
        return List.of(meta, presence, topic);
    }
}
