package dev.randomchat.safety;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

/**
 * Safety and operators.
 *
 * @param adminToken {@code ADMIN_TOKEN}: bearer token of the admin API; empty means no admin API at all
 * @param reportTtl {@code REPORT_TTL_DAYS}: how long reports and their evidence are kept
 */
@Validated
@ConfigurationProperties("chat.safety")
public record SafetyProperties(String adminToken, @PositiveDuration(message = "REPORT_TTL_DAYS must be positive") Duration reportTtl) {

    public SafetyProperties {
        adminToken = adminToken == null ? "" : adminToken;
    }
}
