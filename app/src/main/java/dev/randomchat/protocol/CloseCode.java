package dev.randomchat.protocol;

import org.springframework.web.reactive.socket.CloseStatus;

/**
 * Every websocket close code the server chooses, with its reason; the one list (docs/protocol.md,
 * "Close codes", says what a client does on each). Codes below 4000 are the RFC 6455 ones.
 */
public enum CloseCode {

    /** The client closed, or the server ended a socket whose work ended normally. */
    NORMAL(1000, ""),
    /** Nothing heard from the client for the idle timeout (pings unanswered). */
    IDLE(1001, "idle"),
    /** A frame over the transport's ceiling (64 KiB); smaller oversized frames get an error frame instead. */
    TOO_BIG(1009, "frame too large"),
    /** The server is shutting down: reconnect, to any server, and join again. */
    RESTARTING(1012, "server restarting"),
    /** The client read too slowly (its queue overflowed): reconnect and resume with the last seq seen. */
    TOO_SLOW(1013, "too slow"),
    /** The guest was banned (on every server within a second). */
    BANNED(4003, "banned");

    private final CloseStatus status;

    CloseCode(int code, String reason) {
        this.status = new CloseStatus(code, reason);
    }

    public int code() {
        return status.getCode();
    }

    /** The status written in the close frame. */
    public CloseStatus status() {
        return status;
    }
}
