package dev.randomchat.protocol;

import reactor.core.publisher.Mono;

import dev.randomchat.auth.Guest;

/**
 * What a feature may do with one client socket: know whose it is, queue frames to it, answer an
 * error, and close it. The socket layer implements it ({@code socket/Connection}: a bounded queue
 * and one writer); features never see the transport.
 */
public interface Client {

    /** This socket's id, unique on this server. */
    String id();

    /**
     * The address key the socket came from (IPv4, or the IPv6 /64), as bans match it; kept with a
     * channel it enters or rejoins, for reports.
     */
    String ip();

    Guest guest();

    default String guestId() {
        return guest().id();
    }

    /** Queues a frame built in Java (encoded as JSON); false when the socket is closed or overflowed. */
    boolean send(Object frame);

    /** Queues a frame already encoded as JSON (one string shared by every socket that gets it). */
    boolean sendJson(String frame);

    /** Queues a frame only if the client is keeping up: typing and presence may be lost, never chat. */
    boolean sendDroppable(String frame);

    /** Answers a bad frame with an {@code error} frame; the socket lives on. */
    void error(FrameException ex);

    boolean isOpen();

    /** Writes what is queued, then closes with this code. */
    void close(CloseCode code);

    /** Whether a replay page fits in the queue now (see {@link #room()}). */
    boolean hasRoom();

    /** The most bytes of messages one replay page may hold. */
    int replayPageBytes();

    /** Completes once the queue has room for a replay page, or the socket closed. */
    Mono<Void> room();
}
