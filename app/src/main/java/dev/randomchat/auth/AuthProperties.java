package dev.randomchat.auth;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * Token signing.
 *
 * @param jwtSecret {@code JWT_SECRET}: HMAC key shared by every server, at least 32 bytes;
 *        required with an external Redis, generated at random in embedded mode
 * @param tokenTtl {@code JWT_EXPIRATION_SECONDS}: lifetime of guest tokens, channel tokens and
 *        file URLs
 */
@ConfigurationProperties("chat.auth")
public record AuthProperties(String jwtSecret, Duration tokenTtl) {

    public AuthProperties {
        jwtSecret = jwtSecret == null ? "" : jwtSecret;
        Configured.positive(tokenTtl, "JWT_EXPIRATION_SECONDS");
    }
}
