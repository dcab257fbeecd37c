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
        @Min(value = 1, message = "MAX_ALLOWED_CONNS must be at least 1") int maxConnections,
        @Min(value = 1, message = "MAX_CONNS_PER_IP must be at least 1") int maxConnectionsPerIp,
        @Min(value = 256, message = "MAX_MSG_SIZE_BYTE must be at least 256") @Max(value = 65536, message = "MAX_MSG_SIZE_BYTE must be at most 65536") int maxMessageBytes,
        @Min(value = 1, message = "MAX_TEXT_CHARS must be at least 1") int maxTextChars,
        @Min(value = 1, message = "RATE_LIMIT_PER_SECOND must be at least 1") int framesPerSecond,
        @Min(value = 1, message = "RATE_LIMIT_BURST must be at least 1") int frameBurst,
        @PositiveDuration(message = "WS_PING_SECONDS must be positive") Duration pingInterval,
        @PositiveDuration(message = "WS_IDLE_SECONDS must be positive") Duration idleTimeout,
        @Min(value = 16, message = "WS_OUTBOUND_QUEUE must be at least 16") int outboundQueue,
        Duration drainDelay) {

    public SocketProperties {
        drainDelay = drainDelay == null || drainDelay.isNegative() ? Duration.ZERO : drainDelay;
    }
}
