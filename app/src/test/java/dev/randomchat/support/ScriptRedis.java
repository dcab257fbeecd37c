package dev.randomchat.support;

import java.time.Duration;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.randomchat.system.Redis;

/**
 * The facade on the test Redis for a test class with no server around it (scripts, counters,
 * deadlines): connected before the class's tests under a key prefix of its own, closed after them.
 * {@code @RegisterExtension static final ScriptRedis REDIS = new ScriptRedis();}
 */
public final class ScriptRedis implements BeforeAllCallback, AfterAllCallback {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Redis redis;

    @Override
    public void beforeAll(ExtensionContext context) {
        redis = TestRedis.connect(ChatServer.newCluster());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        redis.close();
    }

    public Redis get() {
        return redis;
    }

    /** Calls of these commands this Redis counted so far, by any client ({@link TestRedis#calls}). */
    public long calls(String... commands) {
        return TestRedis.calls(redis.commands().info("commandstats").block(WAIT), commands);
    }
}
