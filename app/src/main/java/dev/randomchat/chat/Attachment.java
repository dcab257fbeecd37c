package dev.randomchat.chat;

import java.util.ArrayDeque;
import java.util.List;

import dev.randomchat.protocol.Client;

/**
 * One socket attached to one channel, and where its message stream stands.
 *
 * <p>Messages reach the socket in seq order with no gap and no duplicate: {@code lastSent} is the
 * highest seq written. A join's replay and a catch-up read the log in pages after
 * {@code lastSent}; while they run, live messages wait in a buffer bounded in characters. A live
 * message that does not fit, or that would leave a gap, is dropped and read from the log by one
 * more page before the socket goes live. All methods are synchronized: Pub/Sub threads and the
 * socket's own pipeline both call in.
 */
final class Attachment {

    /** Live messages held while a replay runs, in characters; past this they are read from the log. */
    private static final int MAX_BUFFERED_CHARS = 64 * 1024;

    private final Client connection;
    private final String channelId;
    private final ArrayDeque<Event> buffer = new ArrayDeque<>();
    private int bufferedChars;
    private long lastSent;
    private boolean replaying = true;
    /** The join's own pages are running: the catch-up timer leaves this attachment alone. */
    private boolean joining = true;
    private boolean catchUpNeeded;
    private boolean detached;

    Attachment(Client connection, String channelId, long after) {
        this.connection = connection;
        this.channelId = channelId;
        this.lastSent = after;
    }

    Client connection() {
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
            hold(seq, json);
            return;
        }
        write(seq, json);
    }

    /** Starts a catch-up page: live messages are held until the socket is live again. */
    synchronized boolean beginCatchUp() {
        if (detached || joining || replaying && !catchUpNeeded) {
            return false;
        }
        replaying = true;
        catchUpNeeded = false;
        return true;
    }

    /** Writes a page read from the log: its messages after {@code lastSent}, in order. */
    synchronized void page(List<String> messages, long firstSeq) {
        if (detached) {
            return;
        }
        long seq = Math.max(firstSeq, lastSent + 1);
        for (String message : messages) {
            long messageSeq = seqOf(message, seq);
            if (messageSeq > lastSent) {
                connection.sendJson(message);
                lastSent = messageSeq;
            }
            seq = messageSeq + 1;
        }
    }

    /**
     * After a page read when the log ended at {@code logLastSeq}: if the socket has everything up to
     * there and no live message was dropped meanwhile, runs {@code beforeLive}, writes the held live
     * messages and goes live (true). Otherwise another page is needed (false): a join reads it at
     * once, a catch-up on the timer's next tick. An empty page ends it either way.
     */
    synchronized boolean goLiveIfCaughtUp(long logLastSeq, boolean emptyPage, Runnable beforeLive) {
        if (detached) {
            return true;
        }
        boolean behind = lastSent < logLastSeq && !emptyPage;
        if (behind || catchUpNeeded) {
            catchUpNeeded = !joining;
            return false;
        }
        goLive(beforeLive);
        return true;
    }

    /** Skips straight to live from this seq (a freshly matched socket needs no replay). */
    synchronized void liveFrom(long seq, Runnable beforeLive) {
        lastSent = Math.max(lastSent, seq);
        goLive(beforeLive);
    }

    /** A join's pages failed half way: the catch-up timer takes over from where they stopped. */
    synchronized void handOverToCatchUp() {
        joining = false;
        replaying = true;
        catchUpNeeded = !detached;
    }

    /** Pub/Sub may have dropped events (Redis reconnected): read the log before going on. */
    synchronized void requestCatchUp() {
        if (!detached) {
            replaying = true;
            catchUpNeeded = true;
        }
    }

    synchronized boolean catchUpNeeded() {
        return catchUpNeeded && !detached && !joining;
    }

    synchronized void detach() {
        detached = true;
        buffer.clear();
        bufferedChars = 0;
    }

    synchronized boolean detached() {
        return detached;
    }

    private void goLive(Runnable beforeLive) {
        if (detached) {
            return;
        }
        beforeLive.run();
        replaying = false;
        joining = false;
        while (!buffer.isEmpty() && !replaying) {
            Event event = buffer.poll();
            bufferedChars -= event.json().length();
            write(event.seq(), event.json());
        }
    }

    private void hold(long seq, String json) {
        if (bufferedChars + json.length() <= MAX_BUFFERED_CHARS) {
            buffer.add(new Event(seq, json));
            bufferedChars += json.length();
        }
        else {
            catchUpNeeded = true;
        }
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
        hold(seq, json);
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
