package dev.randomchat.system;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.randomchat.support.ScriptRedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Redis#run} on a real Redis: results, nil, errors, and a script cache Redis lost. */
class RedisScriptsIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LuaScript ECHO = LuaScript.load(RedisScriptsIntegrationTests.class, "echo-first.lua");

    @RegisterExtension
    static final ScriptRedis REDIS = new ScriptRedis();

    @Test
    void runsAScriptAgainAfterRedisForgotIt() {
        String key = REDIS.get().key("echo");
        assertThat(REDIS.get().run(ECHO, List.of(key), "one").block(WAIT)).isEqualTo("one");
        // What a restarted or failed-over Redis looks like to EVALSHA: NOSCRIPT, then EVAL loads it.
        assertThat(REDIS.get().commands().scriptFlush().block(WAIT)).isEqualTo("OK");
        assertThat(REDIS.get().commands().scriptExists(ECHO.sha1()).blockFirst(WAIT)).isFalse();

        assertThat(REDIS.get().run(ECHO, List.of(key), "two").block(WAIT)).isEqualTo("two");

        assertThat(REDIS.get().commands().get(key).block(WAIT)).isEqualTo("two");
        assertThat(REDIS.get().commands().scriptExists(ECHO.sha1()).blockFirst(WAIT)).isTrue();
    }

    @Test
    void completesEmptyOnNil() {
        assertThat(REDIS.get().run(ECHO, List.of(REDIS.get().key("echo-nil"))).hasElement().block(WAIT)).isFalse();
    }

    @Test
    void failsWithRedisErrorWhenTheScriptDoes() {
        assertThatThrownBy(() -> REDIS.get().run(ECHO, List.of(REDIS.get().key("echo-fail")), "fail").block(WAIT))
                .isInstanceOf(RedisCommandExecutionException.class)
                .hasMessageContaining("asked to fail");
    }
}
