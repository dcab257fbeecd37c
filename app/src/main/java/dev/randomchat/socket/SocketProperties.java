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
 */
@Validated
@ConfigurationProperties("chat.socket")
public record SocketProperties(
        @Min(1) int maxConnections,
        @Min(1) int maxConnectionsPerIp,
        @Min(256) @Max(65536) int maxMessageBytes,
        @Min(1) int maxTextChars,
        @Min(1) int framesPerSecond,
        @Min(1) int frameBurst,
        @PositiveDuration Duration pingInterval,
        @PositiveDuration Duration idleTimeout,
        @Min(16) int outboundQueue,
        Duration drainDelay) {

    public SocketProperties {
        drainDelay = drainDelay == null || drainDelay.isNegative() ? Duration.ZERO : drainDelay;
    }
}
