package dev.randomchat.match;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

/**
 * Matching.
 *
 * @param interestWait {@code INTEREST_WAIT_SECONDS}: how long a guest with interests waits for
 *        someone sharing one before it is paired with anyone
 * @param maxMatchesPerDay {@code MAX_MATCHES_PER_DAY}: pairs one guest may enter per day; 0 is no limit
 * @param blockTtl {@code BLOCK_TTL_DAYS}: how long a block (or report) keeps two guests apart
 */
@Validated
@ConfigurationProperties("chat.match")
public record MatchProperties(Duration interestWait, @Min(value = 0, message = "MAX_MATCHES_PER_DAY must not be negative") int maxMatchesPerDay, @PositiveDuration(message = "BLOCK_TTL_DAYS must be positive") Duration blockTtl) {

    public MatchProperties {
        interestWait = interestWait == null || interestWait.isNegative() ? Duration.ZERO : interestWait;
    }
}
