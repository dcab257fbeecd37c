package dev.randomchat.system;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Redis#run} on a real Redis: results, nil, errors, and a script cache Redis lost. */
class RedisScriptsIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LuaScript ECHO = LuaScript.load(RedisScriptsIntegrationTests.class, "echo-first.lua");

    private static Redis redis;

    @BeforeAll
    static void connect() {
        redis = TestRedis.connect(ChatServer.newCluster());
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Test
    void runsAScriptAgainAfterRedisForgotIt() {
        String key = redis.key("echo");
        assertThat(redis.run(ECHO, List.of(key), "one").block(WAIT)).isEqualTo("one");
        // What a restarted or failed-over Redis looks like to EVALSHA: NOSCRIPT, then EVAL loads it.
        assertThat(redis.commands().scriptFlush().block(WAIT)).isEqualTo("OK");
        assertThat(redis.commands().scriptExists(ECHO.sha1()).blockFirst(WAIT)).isFalse();

        assertThat(redis.run(ECHO, List.of(key), "two").block(WAIT)).isEqualTo("two");

        assertThat(redis.commands().get(key).block(WAIT)).isEqualTo("two");
        assertThat(redis.commands().scriptExists(ECHO.sha1()).blockFirst(WAIT)).isTrue();
    }

    @Test
    void completesEmptyOnNil() {
        assertThat(redis.run(ECHO, List.of(redis.key("echo-nil"))).hasElement().block(WAIT)).isFalse();
    }

    @Test
    void failsWithRedisErrorWhenTheScriptDoes() {
        assertThatThrownBy(() -> redis.run(ECHO, List.of(redis.key("echo-fail")), "fail").block(WAIT))
                .isInstanceOf(RedisCommandExecutionException.class)
                .hasMessageContaining("asked to fail");
    }
}
