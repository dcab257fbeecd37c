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
 * @param historyPerMinute {@code HISTORY_PER_MINUTE}: history pages one guest may read per minute
 *        (across servers); past it, 429
 */
@Validated
@ConfigurationProperties("chat.channel")
public record ChannelProperties(@PositiveDuration(message = "REDIS_EXPIRATION_HOURS must be positive") Duration expiration,
        @Min(value = 1, message = "MAX_MSGS must be at least 1") int maxMessages,
        @Min(value = 1, message = "HISTORY_PER_MINUTE must be at least 1") int historyPerMinute) {
}
