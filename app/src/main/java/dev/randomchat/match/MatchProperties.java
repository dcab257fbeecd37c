package dev.randomchat.match;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * Matching.
 *
 * @param interestWait {@code INTEREST_WAIT_SECONDS}: how long a guest with interests waits for
 *        someone sharing one before it is paired with anyone
 * @param maxMatchesPerDay {@code MAX_MATCHES_PER_DAY}: pairs one guest may enter per day; 0 is no limit
 * @param blockTtl {@code BLOCK_TTL_DAYS}: how long a block (or report) keeps two guests apart
 */
@ConfigurationProperties("chat.match")
public record MatchProperties(Duration interestWait, int maxMatchesPerDay, Duration blockTtl) {

    public MatchProperties {
        interestWait = interestWait == null || interestWait.isNegative() ? Duration.ZERO : interestWait;
        Configured.atLeast(maxMatchesPerDay, 0, "MAX_MATCHES_PER_DAY");
        Configured.positive(blockTtl, "BLOCK_TTL_DAYS");
    }
}
