package dev.randomchat.auth;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import dev.randomchat.system.PositiveDuration;

/**
 * Token signing.
 *
 * @param jwtSecret {@code JWT_SECRET}: HMAC key shared by every server, at least 32 bytes;
 *        required with an external Redis, generated at random in embedded mode
 * @param tokenTtl {@code JWT_EXPIRATION_SECONDS}: lifetime of guest tokens, channel tokens and
 *        file URLs
 */
@Validated
@ConfigurationProperties("chat.auth")
public record AuthProperties(String jwtSecret, @PositiveDuration(message = "JWT_EXPIRATION_SECONDS must be positive") Duration tokenTtl) {

    public AuthProperties {
        jwtSecret = jwtSecret == null ? "" : jwtSecret;
    }
}
