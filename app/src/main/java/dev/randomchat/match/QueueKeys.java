package dev.randomchat.match;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import dev.randomchat.system.Redis;

/**
 * The waiting queue's keys. They share the {@code {q}} hash tag, so every matching script runs
 * on one node of a Redis Cluster; see match.lua for what each holds.
 */
record QueueKeys(String queue, String waiters, String tagged, String current, String currentExp, String avoid,
        String ticket, String dailyPrefix) {

    /** The queue's keys vanish after a day without any matching activity. */
    static final long KEY_TTL_MS = 24 * 3600 * 1000L;

    /** The hash tag every key of the queue carries (the joins-per-minute counters too). */
    static final String SLOT = "{q}";

    static QueueKeys of(Redis redis) {
        return new QueueKeys(
                redis.key(SLOT, "queue"),
                redis.key(SLOT, "waiters"),
                redis.key(SLOT, "tagged"),
                redis.key(SLOT, "current"),
                redis.key(SLOT, "current-exp"),
                redis.key(SLOT, "avoid"),
                redis.key(SLOT, "ticket"),
                redis.key(SLOT, "daily"));
    }

    /** match.lua's keys, with the guest's joins-per-minute counter ({@code MinuteLimit.counter}, same slot). */
    List<String> forMatch(String minuteCounter) {
        String day = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        return List.of(queue, waiters, tagged, current, currentExp, avoid, ticket, dailyPrefix + ":" + day,
                minuteCounter);
    }

    List<String> forUnwait() {
        return List.of(queue, waiters, tagged);
    }

    List<String> forRenew() {
        return List.of(waiters, queue);
    }

    List<String> forUnpair() {
        return List.of(current, currentExp, avoid);
    }
}
