package dev.randomchat.chat;

import java.util.ArrayDeque;
import java.util.List;

import dev.randomchat.socket.Connection;

/**
 * One socket attached to one channel, and where its message stream stands.
 *
 * <p>Messages reach the socket in seq order with no gap and no duplicate: {@code lastSent} is the
 * highest seq written. While a replay or a catch-up from the log is under way, live messages wait
 * in a bounded buffer; a live message that would leave a gap starts a catch-up instead of being
 * written. All methods are synchronized: Pub/Sub threads and the socket's own pipeline both call in.
 */
final class Attachment {

    /** Live messages held while a replay runs; past this, they are dropped and read from the log. */
    private static final int MAX_BUFFERED = 1024;

    private final Connection connection;
    private final String channelId;
    private final ArrayDeque<Event> buffer = new ArrayDeque<>();
    private long lastSent;
    private boolean replaying = true;
    private boolean catchUpNeeded;
    private boolean detached;

    Attachment(Connection connection, String channelId, long after) {
        this.connection = connection;
        this.channelId = channelId;
        this.lastSent = after;
    }

    Connection connection() {
        return connection;
    }

    String channelId() {
        return channelId;
    }

    String guestId() {
        return connection.guestId();
    }

    synchronized long lastSent() {
        return lastSent;
    }

    /** A message from Pub/Sub. */
    synchronized void live(long seq, String json) {
        if (detached) {
            return;
        }
        if (replaying) {
            if (buffer.size() < MAX_BUFFERED) {
                buffer.add(new Event(seq, json));
            }
            else {
                catchUpNeeded = true;
            }
            return;
        }
        write(seq, json);
    }

    /** Starts a replay or catch-up: live messages are held until {@link #replayed}. */
    synchronized boolean beginCatchUp() {
        if (detached || replaying && !catchUpNeeded) {
            return false;
        }
        replaying = true;
        catchUpNeeded = false;
        return true;
    }

    /** Writes the messages read from the log, then the held live ones, and goes live. */
    synchronized void replayed(List<String> messages, long firstSeq, Runnable beforeLive) {
        long seq = Math.max(firstSeq, lastSent + 1);
        for (String message : messages) {
            long messageSeq = seqOf(message, seq);
            if (messageSeq > lastSent) {
                connection.sendJson(message);
                lastSent = messageSeq;
            }
            seq = messageSeq + 1;
        }
        beforeLive.run();
        replaying = false;
        while (!buffer.isEmpty() && !replaying) {
            Event event = buffer.poll();
            write(event.seq(), event.json());
        }
    }

    /** Skips straight to live from this seq (a freshly matched socket needs no replay). */
    synchronized void liveFrom(long seq, Runnable beforeLive) {
        lastSent = Math.max(lastSent, seq);
        replayed(List.of(), seq + 1, beforeLive);
    }

    /** Pub/Sub may have dropped events (Redis reconnected): read the log before going on. */
    synchronized void requestCatchUp() {
        if (!detached) {
            replaying = true;
            catchUpNeeded = true;
        }
    }

    synchronized boolean catchUpNeeded() {
        return catchUpNeeded && !detached;
    }

    synchronized void detach() {
        detached = true;
        buffer.clear();
    }

    synchronized boolean detached() {
        return detached;
    }

    private void write(long seq, String json) {
        if (seq <= lastSent) {
            return;
        }
        if (seq == lastSent + 1) {
            connection.sendJson(json);
            lastSent = seq;
            return;
        }
        // A gap: Pub/Sub lost something (a reconnect). Hold this one and read the rest from the log.
        buffer.add(new Event(seq, json));
        replaying = true;
        catchUpNeeded = true;
    }

    private static long seqOf(String message, long fallback) {
        int at = message.indexOf("\"seq\":");
        if (at < 0) {
            return fallback;
        }
        int start = at + 6;
        int end = start;
        while (end < message.length() && Character.isDigit(message.charAt(end))) {
            end++;
        }
        return end > start ? Long.parseLong(message.substring(start, end)) : fallback;
    }

    private record Event(long seq, String json) {
    }
}
