package dev.randomchat.system;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start with secrets that are known to everyone (docs/protocol.md 5.2), before anything
 * connects anywhere. Outside embedded mode ({@code REDIS_ADDRS} set) {@code JWT_SECRET} must be at
 * least 32 bytes, and no secret may contain {@code change-me}, the marker of the shipped examples;
 * in every mode an {@code ADMIN_TOKEN}, when set, must be at least 32 characters. The message names
 * the variable, never its value.
 */
class SecretsPolicy implements EnvironmentPostProcessor {

    static final int MIN_JWT_SECRET_BYTES = 32;
    static final int MIN_ADMIN_TOKEN_CHARS = 32;
    static final String PLACEHOLDER = "change-me";
    private static final String HOW = "set it to a random value, e.g. the output of `openssl rand -base64 48`";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String adminToken = value(environment, "chat.safety.admin-token");
        if (!adminToken.isEmpty() && adminToken.length() < MIN_ADMIN_TOKEN_CHARS) {
            throw new InsecureSettingException("ADMIN_TOKEN", "ADMIN_TOKEN is shorter than " + MIN_ADMIN_TOKEN_CHARS
                    + " characters: " + HOW + ", or leave it unset for no operator API");
        }
        if (value(environment, "chat.redis.addrs").isBlank()) {
            return;
        }
        String jwtSecret = value(environment, "chat.auth.jwt-secret");
        if (jwtSecret.getBytes(StandardCharsets.UTF_8).length < MIN_JWT_SECRET_BYTES) {
            throw new InsecureSettingException("JWT_SECRET", "JWT_SECRET must be at least " + MIN_JWT_SECRET_BYTES
                    + " bytes when REDIS_ADDRS is set (every server signs with it): " + HOW);
        }
        secrets(environment).forEach((variable, secret) -> {
            if (secret.toLowerCase(Locale.ROOT).contains(PLACEHOLDER)) {
                throw new InsecureSettingException(variable, variable + " still holds the example placeholder '"
                        + PLACEHOLDER + "', a value anyone can read in this project: " + HOW);
            }
        });
    }

    /** Each secret by the variable an operator sets. TURN_SECRET is checked before any code uses it. */
    private static Map<String, String> secrets(ConfigurableEnvironment environment) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("JWT_SECRET", value(environment, "chat.auth.jwt-secret"));
        secrets.put("ADMIN_TOKEN", value(environment, "chat.safety.admin-token"));
        secrets.put("REDIS_PASSWORD", value(environment, "chat.redis.password"));
        secrets.put("MINIO_SECRET_KEY", value(environment, "chat.upload.minio-secret-key"));
        secrets.put("TURN_SECRET", value(environment, "TURN_SECRET"));
        return secrets;
    }

    private static String value(ConfigurableEnvironment environment, String property) {
        String value = environment.getProperty(property);
        return value == null ? "" : value;
    }

    /** A setting that would run the service with a publicly known or guessable secret. */
    static final class InsecureSettingException extends IllegalStateException {

        private final String variable;

        InsecureSettingException(String variable, String message) {
            super(message);
            this.variable = variable;
        }

        String variable() {
            return variable;
        }
    }
}
