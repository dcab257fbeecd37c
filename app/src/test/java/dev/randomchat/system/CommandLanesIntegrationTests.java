package dev.randomchat.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a standalone Redis each event loop gets a command connection of its own, and a command issued
 * on a loop is answered on that loop (no hop to another thread and back), before and after Lettuce
 * reconnected everything following a Redis restart.
 */
class CommandLanesIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EventLoopGroup loops;
    private ClientResources resources;
    private RedisProcess server;
    private LettuceConnectionFactory factory;
    private Redis redis;

    @BeforeEach
    void start() throws Exception {
        // The transport Lettuce picks for itself: epoll where Netty's native library loads.
        loops = new MultiThreadIoEventLoopGroup(2, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        resources = DefaultClientResources.builder().eventLoopGroupProvider(new SharedEventLoops(loops)).build();
        server = RedisProcess.start(RedisProcess.freePort());
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", server.port()),
                LettuceClientConfiguration.builder().clientResources(resources).build());
        factory.afterPropertiesSet();
        factory.start();
        redis = new Redis(factory, "lanes");
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        factory.destroy();
        resources.shutdown(0, 1, TimeUnit.SECONDS);
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
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
        int port = server.port();
        server.close();
        server = RedisProcess.start(port);
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
