package dev.randomchat.safety;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * Safety and operators.
 *
 * @param adminToken {@code ADMIN_TOKEN}: bearer token of the admin API; empty means no admin API at all
 * @param reportTtl {@code REPORT_TTL_DAYS}: how long reports and their evidence are kept
 */
@ConfigurationProperties("chat.safety")
public record SafetyProperties(String adminToken, Duration reportTtl) {

    public SafetyProperties {
        adminToken = adminToken == null ? "" : adminToken;
        Configured.positive(reportTtl, "REPORT_TTL_DAYS");
    }
}
