package dev.randomchat.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When each channel held here is next looked at for its expiry: a queue ordered by time, so a
 * tick takes only what fell due and an idle channel costs nothing until then.
 */
final class ExpiryChecks {

    private record Due(long atMs, String channelId) {
    }

    private final PriorityQueue<Due> queue = new PriorityQueue<>((a, b) -> Long.compare(a.atMs(), b.atMs()));
    /** The one current time per channel; queue entries that disagree were replaced and are skipped. */
    private final Map<String, Long> current = new HashMap<>();

    /** Looks at the channel at {@code atMs}, unless it is looked at already. */
    synchronized void watch(String channelId, long atMs) {
        if (current.putIfAbsent(channelId, atMs) == null) {
            queue.add(new Due(atMs, channelId));
        }
    }

    /** Looks at the channel at {@code atMs}, instead of any time set before. */
    synchronized void schedule(String channelId, long atMs) {
        current.put(channelId, atMs);
        queue.add(new Due(atMs, channelId));
    }

    /** The channels due by {@code nowMs}; each is forgotten until watched or scheduled again. */
    synchronized List<String> takeDue(long nowMs) {
        List<String> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().atMs() <= nowMs) {
            Due next = queue.poll();
            if (current.remove(next.channelId(), next.atMs())) {
                due.add(next.channelId());
            }
        }
        return due;
    }
}
