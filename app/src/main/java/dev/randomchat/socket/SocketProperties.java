package dev.randomchat.socket;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

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
@Validated
@ConfigurationProperties("chat.socket")
public record SocketProperties(
        @Min(value = 1, message = "MAX_ALLOWED_CONNS must be at least 1") int maxConnections,
        @Min(value = 1, message = "MAX_CONNS_PER_IP must be at least 1") int maxConnectionsPerIp,
        @Min(value = 256, message = "MAX_MSG_SIZE_BYTE must be at least 256") @Max(value = 65536, message = "MAX_MSG_SIZE_BYTE must be at most 65536") int maxMessageBytes,
        @Min(value = 1, message = "MAX_TEXT_CHARS must be at least 1") int maxTextChars,
        @Min(value = 1, message = "RATE_LIMIT_PER_SECOND must be at least 1") int framesPerSecond,
        @Min(value = 1, message = "RATE_LIMIT_BURST must be at least 1") int frameBurst,
        @PositiveDuration(message = "WS_PING_SECONDS must be positive") Duration pingInterval,
        @PositiveDuration(message = "WS_IDLE_SECONDS must be positive") Duration idleTimeout,
        @Min(value = 16, message = "WS_OUTBOUND_QUEUE must be at least 16") int outboundQueue,
        Duration drainDelay,
        @Min(value = 65536, message = "WS_OUTBOUND_BYTES must be at least 65536") long outboundBytes,
        @Min(value = 0, message = "WS_OUTBOUND_TOTAL_BYTES must not be negative") long outboundTotalBytes,
        @PositiveDuration(message = "WS_STALL_SECONDS must be positive") Duration stallTimeout,
        @Min(value = 1, message = "JOINS_PER_MINUTE must be at least 1") int joinsPerMinute,
        @Min(value = 1, message = "UPGRADES_PER_SECOND must be at least 1") int upgradesPerSecond) {

    public SocketProperties {
        drainDelay = drainDelay == null || drainDelay.isNegative() ? Duration.ZERO : drainDelay;
    }
}
