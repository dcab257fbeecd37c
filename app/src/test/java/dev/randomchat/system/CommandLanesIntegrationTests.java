package dev.randomchat.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a standalone Redis each event loop gets a command connection of its own, and a command issued
 * on a loop is answered on that loop (no hop to another thread and back), before and after Lettuce
 * reconnected everything following a Redis restart.
 */
class CommandLanesIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final StandaloneRedis standalone = new StandaloneRedis();
    private EventLoopGroup loops;
    private Redis redis;

    @BeforeEach
    void start() throws Exception {
        redis = standalone.start("lanes");
        loops = standalone.loops();
    }

    @AfterEach
    void stop() throws Exception {
        standalone.stop();
    }

    @Test
    void answersEachLoopsCommandsOnThatLoop() throws Exception {
        List<Thread> threads = threadsOf(loops);
        assertThat(redis.loopsWithOwnConnection()).containsExactlyInAnyOrderElementsOf(threads);
        for (EventExecutor loop : loops) {
            assertThat(answeredOn(loop)).isSameAs(threadOf(loop));
        }
    }

    @Test
    void learnsAgainWhereItsConnectionsLiveAfterAReconnect() throws Exception {
        standalone.restartRedis();
        // Lettuce dials again on its own; the connections' loops are learnt anew once it has.
        await().atMost(WAIT).until(() -> reconnectedEverywhere() && !redis.loopsWithOwnConnection().isEmpty());
        Set<Thread> served = redis.loopsWithOwnConnection();
        assertThat(served).isNotEmpty();
        for (EventExecutor loop : loops) {
            if (served.contains(threadOf(loop))) {
                assertThat(answeredOn(loop)).isSameAs(threadOf(loop));
            }
        }
    }

    /** Every loop's commands get an answer again (on its own connection or the first). */
    private boolean reconnectedEverywhere() {
        try {
            for (EventExecutor loop : loops) {
                answeredOn(loop);
            }
            return true;
        }
        catch (Exception ex) {
            return false;
        }
    }

    /** The thread a PING issued on {@code loop} is answered on. */
    private Thread answeredOn(EventExecutor loop) throws Exception {
        CompletableFuture<Thread> answered = new CompletableFuture<>();
        loop.execute(() -> redis.command(commands -> commands.ping())
                .subscribe(pong -> answered.complete(Thread.currentThread()), answered::completeExceptionally));
        return answered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static List<Thread> threadsOf(EventLoopGroup group) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (EventExecutor loop : group) {
            threads.add(threadOf(loop));
        }
        return threads;
    }

    private static Thread threadOf(EventExecutor loop) throws Exception {
        return loop.submit(Thread::currentThread).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
