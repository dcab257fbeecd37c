package dev.randomchat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.TestRedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idle sockets cost Redis nothing per channel: presence is not renewed per guest or per channel,
 * so the scripts a server runs while its matched sockets idle do not grow with their number.
 */
class IdleChannelsIntegrationTests {

    private static final int PAIRS = 20;
    /** Longer than two of the old per-channel presence ticks (5 s each). */
    private static final Duration WINDOW = Duration.ofSeconds(12);

    private static ChatServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void start() {
        server = ChatServer.start(Map.of());
        client = RedisClient.create("redis://" + TestRedis.address());
        redis = client.connect();
    }

    @AfterAll
    static void stop() {
        redis.close();
        client.shutdown();
        server.close();
    }

    @Test
    void idleMatchedSocketsRunNoScriptPerChannel() throws InterruptedException {
        long withoutSockets = scriptsDuring(WINDOW);
        List<MatchedPair> pairs = new ArrayList<>();
        try {
            for (int i = 0; i < PAIRS; i++) {
                pairs.add(MatchedPair.match(server, server));
            }
            // The matches' own scripts are done once both sides were told.
            Thread.sleep(1_000);
            long withSockets = scriptsDuring(WINDOW);
            // Before, each channel renewed its presence every 5 s: at least 2 x PAIRS more scripts here.
            assertThat(withSockets - withoutSockets).isLessThan(PAIRS / 2);
        }
        finally {
            pairs.forEach(MatchedPair::close);
        }
    }

    /** EVALSHA calls Redis counted over {@code window} (every server script runs as one). */
    private static long scriptsDuring(Duration window) throws InterruptedException {
        long before = evalshaCalls();
        Thread.sleep(window.toMillis());
        return evalshaCalls() - before;
    }

    private static long evalshaCalls() {
        return TestRedis.calls(redis.sync().info("commandstats"), "evalsha");
    }
}
