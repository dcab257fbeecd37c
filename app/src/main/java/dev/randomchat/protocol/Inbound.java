package dev.randomchat.protocol;

import java.util.List;

/** A client frame, decoded and checked against the protocol. */
public sealed interface Inbound {

    record Match(List<String> interests) implements Inbound {
    }

    record Cancel() implements Inbound {
    }

    record Join(String token, long after) implements Inbound {
    }

    record Send(String cmid, String text) implements Inbound {
    }

    record PostFile(String cmid, String fileId) implements Inbound {
    }

    record Seen(long seq) implements Inbound {
    }

    record Typing(boolean active) implements Inbound {
    }

    record Leave(boolean block) implements Inbound {
    }

    /**
     * A report. {@code channelId} and {@code token} name an ended channel (docs/protocol.md 6.2); both are
     * null for the channel the socket is in.
     */
    record Report(String reason, String note, String channelId, String token) implements Inbound {

        public Report(String reason, String note) {
            this(reason, note, null, null);
        }
    }

    /** A block: of the channel named by {@code channelId} and {@code token}, or (both null) of the socket's own. */
    record Block(String channelId, String token) implements Inbound {
    }

    record Ping() implements Inbound {
    }

    /** Video and voice (7.2): {@code kinds} is empty for decline and hangup. */
    record Media(String action, String callId, List<String> kinds) implements Inbound {
    }

    /** A WebRTC signal of an accepted call; {@code data} is a JSON object, as compact JSON text. */
    record Signal(String callId, String data) implements Inbound {
    }
}
