package dev.randomchat.chat;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

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
@ConfigurationProperties("chat.channel")
public record ChannelProperties(Duration expiration, int maxMessages, Duration peerGone, Duration reportWindow,
        int historyPerMinute) {

    public ChannelProperties {
        Configured.positive(expiration, "REDIS_EXPIRATION_HOURS");
        Configured.atLeast(maxMessages, 1, "MAX_MSGS");
        Configured.positive(peerGone, "PEER_GONE_SECONDS");
        Configured.positive(reportWindow, "REPORT_WINDOW_SECONDS");
        Configured.atLeast(historyPerMinute, 1, "HISTORY_PER_MINUTE");
    }
}
