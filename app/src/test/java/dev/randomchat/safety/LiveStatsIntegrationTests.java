package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.randomchat.support.ScriptRedis;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live counts on a real Redis, with no server around them: an idle server's flush writes only
 * its own line, and what the console reads stays right.
 */
class LiveStatsIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A minute may turn between two flushes (a new bucket is written then): tried again, at most this often. */
    private static final int ATTEMPTS = 3;

    @RegisterExtension
    static final ScriptRedis REDIS = new ScriptRedis();

    @Test
    void anIdleFlushWritesTwoCommandsAndAChangeWritesTheBucketAgain() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger sockets = meters.gauge("chat.sockets.open", new AtomicInteger(3));
        meters.gauge("chat.waiting", new AtomicInteger(1));
        Counter pairs = meters.counter("chat.matches");
        LiveStats stats = new LiveStats(REDIS.get(), meters, new ServerId());
        stats.flush().block(WAIT);

        assertThat(idleFlush(stats)).as("commands of a flush with nothing changed").isEqualTo(2);

        pairs.increment(2);
        sockets.set(4);
        Instant minute = Instant.ofEpochSecond(System.currentTimeMillis() / 60_000 * 60);
        long before = writes();
        stats.flush().block(WAIT);
        // The pairs counted, the bucket's two gauges and its expiry, the line and its expiry.
        assertThat(writes() - before).as("commands of a flush after a change").isEqualTo(5);
        assertThat(idleFlush(stats)).as("commands of the next flush").isEqualTo(2);

        LiveStats.Now now = stats.now().block(WAIT);
        assertThat(now.servers()).isEqualTo(1);
        assertThat(now.socketsOpen()).isEqualTo(4);
        assertThat(now.waiting()).isEqualTo(1);
        assertThat(now.pairsPerMinute()).isBetween(1L, 2L);
        assertThat(stats.series().block(WAIT)).filteredOn(point -> point.minute().equals(minute))
                .singleElement()
                .satisfies(point -> {
                    assertThat(point.sockets()).isEqualTo(4);
                    assertThat(point.pairs()).isEqualTo(2);
                });
    }

    /** The commands a flush with nothing new sent, from one that began and ended in the same minute. */
    private static long idleFlush(LiveStats stats) {
        for (int attempt = 1; ; attempt++) {
            long minute = System.currentTimeMillis() / 60_000;
            long before = writes();
            stats.flush().block(WAIT);
            long sent = writes() - before;
            if (System.currentTimeMillis() / 60_000 == minute || attempt == ATTEMPTS) {
                return sent;
            }
        }
    }

    private static long writes() {
        return REDIS.calls("hset", "hincrby", "expire");
    }
}
