package dev.randomchat.system;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConfiguredTests {

    @Test
    void acceptsValuesAtTheirBounds() {
        assertThatCode(() -> {
            Configured.atLeast(1, 1, "X");
            Configured.within(256, 256, 65536, "X");
            Configured.within(65536, 256, 65536, "X");
            Configured.positive(Duration.ofMillis(1), "X");
            Configured.notBlank("a", "X");
            Configured.matches("relay", Pattern.compile("all|relay"), "X", "all or relay");
        }).doesNotThrowAnyException();
    }

    @Test
    void refusesAValueOutOfBoundsNamingTheVariable() {
        assertThatIllegalArgumentException().isThrownBy(() -> Configured.atLeast(0, 1, "MAX_MSGS"))
                .withMessage("MAX_MSGS must be at least 1, not 0");
        assertThatIllegalArgumentException().isThrownBy(() -> Configured.atLeast(-1, 0, "MAX_MATCHES_PER_DAY"))
                .withMessage("MAX_MATCHES_PER_DAY must not be negative, not -1");
        assertThatIllegalArgumentException().isThrownBy(() -> Configured.within(65537, 256, 65536, "MAX_MSG_SIZE_BYTE"))
                .withMessage("MAX_MSG_SIZE_BYTE must be from 256 to 65536, not 65537");
        assertThatIllegalArgumentException().isThrownBy(() -> Configured.notBlank(" ", "UPLOAD_DIR"))
                .withMessage("UPLOAD_DIR must not be empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Configured.matches("udp", Pattern.compile("all|relay"), "ICE_TRANSPORT_POLICY", "all or relay"))
                .withMessage("ICE_TRANSPORT_POLICY must be all or relay, not 'udp'");
    }

    @Test
    void refusesAMissingZeroOrNegativeDuration() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1)}) {
            assertThatIllegalArgumentException().isThrownBy(() -> Configured.positive(bad, "WS_PING_SECONDS"))
                    .withMessage("WS_PING_SECONDS must be positive");
        }
    }

    @Test
    void propertiesRecordsCheckWhatTheyAreGiven() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RedisProperties(List.of("redis:6379", "redis"), "", "rc", 16, Duration.ofSeconds(30)))
                .withMessageContaining("REDIS_ADDRS entries must be host:port");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RedisProperties(List.of(), "", "rc chat", 16, Duration.ofSeconds(30)))
                .withMessageContaining("REDIS_KEY_PREFIX");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new HttpProperties(List.of(), List.of(), 70000, Duration.ofSeconds(30)))
                .withMessageContaining("MANAGEMENT_PORT");
        assertThatCode(() -> new RedisProperties(List.of(" redis-1:6379 ", "10.0.0.2:7001"), null, "rc", 16, null))
                .doesNotThrowAnyException();
    }
}
