package dev.randomchat.socket;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * The websocket endpoint.
 *
 * @param maxConnections {@code MAX_ALLOWED_CONNS}: sockets one server holds; the next upgrade gets 503
 * @param maxConnectionsPerIp {@code MAX_CONNS_PER_IP}: sockets one client address may hold on one server
 * @param maxMessageBytes {@code MAX_MSG_SIZE_BYTE}: largest client frame, in UTF-8 bytes
 * @param maxTextChars {@code MAX_TEXT_CHARS}: longest message text, in code points
 * @param framesPerSecond {@code RATE_LIMIT_PER_SECOND}: sustained client frames per socket
 * @param frameBurst {@code RATE_LIMIT_BURST}: frames a socket may send at once before the rate applies
 * @param pingInterval how often the server pings (the protocol promises at least every 25 s)
 * @param idleTimeout a socket silent this long is closed with 1001 (60 s in the protocol)
 * @param outboundQueue frames waiting for a slow client before it is shed and then closed (1013)
 * @param drainDelay {@code SHUTDOWN_DRAIN_SECONDS}: on shutdown, time between turning unready and
 *        closing sockets with 1012, so load balancers stop sending new clients first
 * @param outboundBytes {@code WS_OUTBOUND_BYTES}: bytes queued for one socket before it is closed
 *        with 1013; replays are read in pages that fit in a quarter of it
 * @param outboundTotalBytes {@code WS_OUTBOUND_TOTAL_BYTES}: bytes queued for all sockets of this
 *        server together (0: a quarter of the heap); past it, the sockets holding most are closed
 * @param stallTimeout {@code WS_STALL_SECONDS}: a socket whose queue makes no progress this long is
 *        closed with 1013, whatever it sends
 * @param joinsPerMinute {@code JOINS_PER_MINUTE}: {@code join} and {@code match} frames one guest may
 *        send per minute, across all its sockets and servers
 * @param upgradesPerSecond {@code UPGRADES_PER_SECOND}: websocket upgrades one client address may
 *        ask this server for per second; past it, 429 before the upgrade
 */
@ConfigurationProperties("chat.socket")
public record SocketProperties(int maxConnections, int maxConnectionsPerIp, int maxMessageBytes, int maxTextChars,
        int framesPerSecond, int frameBurst, Duration pingInterval, Duration idleTimeout, int outboundQueue,
        Duration drainDelay, long outboundBytes, long outboundTotalBytes, Duration stallTimeout, int joinsPerMinute,
        int upgradesPerSecond) {

    public SocketProperties {
        drainDelay = drainDelay == null || drainDelay.isNegative() ? Duration.ZERO : drainDelay;
        Configured.atLeast(maxConnections, 1, "MAX_ALLOWED_CONNS");
        Configured.atLeast(maxConnectionsPerIp, 1, "MAX_CONNS_PER_IP");
        Configured.within(maxMessageBytes, 256, 65536, "MAX_MSG_SIZE_BYTE");
        Configured.atLeast(maxTextChars, 1, "MAX_TEXT_CHARS");
        Configured.atLeast(framesPerSecond, 1, "RATE_LIMIT_PER_SECOND");
        Configured.atLeast(frameBurst, 1, "RATE_LIMIT_BURST");
        Configured.positive(pingInterval, "WS_PING_SECONDS");
        Configured.positive(idleTimeout, "WS_IDLE_SECONDS");
        Configured.atLeast(outboundQueue, 16, "WS_OUTBOUND_QUEUE");
        Configured.atLeast(outboundBytes, 65536, "WS_OUTBOUND_BYTES");
        Configured.atLeast(outboundTotalBytes, 0, "WS_OUTBOUND_TOTAL_BYTES");
        Configured.positive(stallTimeout, "WS_STALL_SECONDS");
        Configured.atLeast(joinsPerMinute, 1, "JOINS_PER_MINUTE");
        Configured.atLeast(upgradesPerSecond, 1, "UPGRADES_PER_SECOND");
    }
}
