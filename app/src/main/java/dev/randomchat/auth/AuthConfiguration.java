package dev.randomchat.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.randomchat.system.RedisProperties;

@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthConfiguration.class);
    private static final int MIN_SECRET_BYTES = 32;

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    TokenService tokenService(AuthProperties auth, RedisProperties redis, Clock clock) {
        return new TokenService(secret(auth, redis), auth.tokenTtl(), clock);
    }

    private static byte[] secret(AuthProperties auth, RedisProperties redis) {
        if (auth.jwtSecret().isEmpty()) {
            if (!redis.embedded()) {
                throw new IllegalStateException("JWT_SECRET is required when REDIS_ADDRS is set: every server "
                        + "behind the load balancer must sign and check tokens with the same key "
                        + "(at least " + MIN_SECRET_BYTES + " bytes)");
            }
            log.warn("JWT_SECRET is not set: using a random key for this embedded-mode process; "
                    + "tokens will not survive a restart");
            byte[] random = new byte[MIN_SECRET_BYTES];
            new SecureRandom().nextBytes(random);
            return random;
        }
        byte[] bytes = auth.jwtSecret().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalStateException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        return bytes;
    }
}
