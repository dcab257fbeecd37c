package dev.randomchat.chat;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

/**
 * Channels.
 *
 * @param expiration {@code REDIS_EXPIRATION_HOURS}: a channel and its messages expire this long
 *        after its last message
 * @param maxMessages {@code MAX_MSGS}: messages a channel keeps for replay and history
 * @param peerGone {@code PEER_GONE_SECONDS}: a channel ends ({@code ended}, reason {@code gone})
 *        when one of its guests has had no socket anywhere for this long
 * @param reportWindow {@code REPORT_WINDOW_SECONDS}: how long after a channel ended either guest may
 *        still report or block the other; the ended channel's keys are kept at least this long
 * @param historyPerMinute {@code HISTORY_PER_MINUTE}: history pages one guest may read per minute
 *        (across servers); past it, 429
 */
@Validated
@ConfigurationProperties("chat.channel")
public record ChannelProperties(@PositiveDuration(message = "REDIS_EXPIRATION_HOURS must be positive") Duration expiration,
        @Min(value = 1, message = "MAX_MSGS must be at least 1") int maxMessages,
        @PositiveDuration(message = "PEER_GONE_SECONDS must be positive") Duration peerGone,
        @PositiveDuration(message = "REPORT_WINDOW_SECONDS must be positive") Duration reportWindow,
        @Min(value = 1, message = "HISTORY_PER_MINUTE must be at least 1") int historyPerMinute) {
}
