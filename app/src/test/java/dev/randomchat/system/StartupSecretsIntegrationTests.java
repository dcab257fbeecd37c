package dev.randomchat.system;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.ServerProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md 5.2: a server given a publicly known or guessable secret does not start. Each case is
 * a real server process against the test Redis (so not in embedded mode, except where named),
 * which must exit by itself, not with 0, and say which variable to change, never its value.
 */
class StartupSecretsIntegrationTests {

    /** A cold JVM on a busy two-core machine; the check runs before anything connects. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final String SECRET_PART = "q7Zt0pX2";

    static Stream<Arguments> refusedSettings() {
        return Stream.of(
                Arguments.of("JWT_SECRET", Map.of("JWT_SECRET", "Change-Me-" + SECRET_PART + "-0123456789abcdef0123456789")),
                Arguments.of("JWT_SECRET", Map.of("JWT_SECRET", "short-" + SECRET_PART)),
                Arguments.of("ADMIN_TOKEN", Map.of("ADMIN_TOKEN", "change-me-admin-token-" + SECRET_PART + "-0123456789")),
                Arguments.of("ADMIN_TOKEN", Map.of("ADMIN_TOKEN", "short-" + SECRET_PART)),
                Arguments.of("REDIS_PASSWORD", Map.of("REDIS_PASSWORD", "CHANGE-ME-" + SECRET_PART)),
                Arguments.of("MINIO_SECRET_KEY", Map.of("MINIO_SECRET_KEY", "minio-change-me-" + SECRET_PART)),
                Arguments.of("TURN_SECRET", Map.of("TURN_SECRET", "change-me-" + SECRET_PART)),
                // Embedded mode too: a short operator token is refused wherever the server runs.
                Arguments.of("ADMIN_TOKEN", Map.of("REDIS_ADDRS", "", "ADMIN_TOKEN", "short-" + SECRET_PART)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusedSettings")
    void refusesToStartNamingTheVariableButNotItsValue(String variable, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(ChatServer.environment(ChatServer.newCluster(), settings));
        env.remove("HTTP_PORT");
        env.remove("MANAGEMENT_PORT");

        try (ServerProcess server = ServerProcess.launch(env)) {
            int exit = server.waitFor(EXIT_TIMEOUT);

            assertThat(exit).as("exit code; output:%n%s", server.output()).isNotZero();
            assertThat(server.output()).contains(variable).doesNotContain(SECRET_PART).doesNotContain("Started ");
        }
    }
}
