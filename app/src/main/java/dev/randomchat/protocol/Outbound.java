package dev.randomchat.protocol;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The server frames that are built in Java; chat events are built once and shared as JSON. */
public final class Outbound {

    private Outbound() {
    }

    public record Peer(String id, String name) {
    }

    /** The ack as the protocol shapes it (the hot path writes the same JSON by hand). */
    public record Ack(String type, String cmid, long seq) {
        public Ack(String cmid, long seq) {
            this("ack", cmid, seq);
        }
    }

    public record Limits(int maxMessageBytes, int maxTextChars, long maxUploadBytes, int maxSignalBytes) {
    }

    public record Hello(String type, Peer you, Limits limits) {
        public Hello(Peer you, Limits limits) {
            this("hello", you, limits);
        }
    }

    public record Waiting(String type, Instant since) {
        public Waiting(Instant since) {
            this("waiting", since);
        }
    }

    public record Cancelled(String type) {
        public Cancelled() {
            this("cancelled");
        }
    }

    public record Matched(String type, String channelId, String token, Peer peer, List<String> commonInterests) {
        public Matched(String channelId, String token, Peer peer, List<String> commonInterests) {
            this("matched", channelId, token, peer, commonInterests);
        }
    }

    public record Joined(String type, String channelId, long lastSeq, long firstSeq, Peer peer, boolean peerOnline,
            long peerSeen) {
        public Joined(String channelId, long lastSeq, long firstSeq, Peer peer, boolean peerOnline, long peerSeen) {
            this("joined", channelId, lastSeq, firstSeq, peer, peerOnline, peerSeen);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String type, String code, String message, String ref) {
        public Error(String code, String message, String ref) {
            this("error", code, message, ref);
        }
    }

    public record Pong(String type) {
        public Pong() {
            this("pong");
        }
    }

    public record Reported(String type, String channelId) {
        public Reported(String channelId) {
            this("reported", channelId);
        }
    }

    public record Blocked(String type, String channelId) {
        public Blocked(String channelId) {
            this("blocked", channelId);
        }
    }
}
