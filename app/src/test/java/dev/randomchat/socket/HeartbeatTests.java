package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;
import dev.randomchat.protocol.CloseCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The heartbeat on real timers, with timeouts short enough to watch (no network: sockets without a channel). */
class HeartbeatTests {

    private static final Duration PING = Duration.ofMillis(300);
    private static final Duration IDLE = Duration.ofMillis(1500);
    private static final Duration STALL = Duration.ofMillis(1200);

    private final List<Disposable> running = new ArrayList<>();
    private final SocketProperties properties = new SocketProperties(100, 100, 4096, 4000, 20, 40, PING, IDLE,
            10_000, Duration.ZERO, 64 * 1024, 0, STALL, 30, 10);
    private final Connections connections = new Connections(properties, new SimpleMeterRegistry());
    private final Heartbeat heartbeat = new Heartbeat(connections, properties);

    @AfterEach
    void stop() {
        heartbeat.stop();
        running.forEach(Disposable::dispose);
    }

    @Test
    void closesTheSilentAndTheStalledOnTimeAndNeverSuspectsAClientThatAnswers() {
        long opened = System.nanoTime();
        List<Connection> live = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Connection connection = open("live-" + i, true);
            live.add(connection);
        }
        // The clients answer: anything heard counts, as a pong would.
        running.add(Flux.interval(Duration.ofMillis(100)).subscribe(tick -> live.forEach(Connection::heard)));
        Connection silent = open("silent", true);
        Connection stalled = open("stalled", false);
        heartbeat.start();
        stalled.sendJson("{\"type\":\"typing\"}");
        long stalledAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !silent.isOpen() && !stalled.isOpen());
        assertThat(silent.closeCode()).isEqualTo(CloseCode.IDLE);
        assertThat(stalled.closeCode()).isEqualTo(CloseCode.TOO_SLOW);
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).as("not before the idle timeout").isGreaterThanOrEqualTo(IDLE);
        assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).as("not before the stall timeout").isGreaterThanOrEqualTo(STALL);

        // Once the closed ones are forgotten, the suspects are empty: the answering clients never were.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> heartbeat.suspects() == 0);
        assertThat(live).allSatisfy(connection -> assertThat(connection.isOpen()).isTrue());
    }

    @Test
    void eachEventLoopPingsItsOwnSocketsOnItsOwnThreadOncePerIntervalUntilStopped() throws Exception {
        EventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            Map<Connection, Queue<String>> pingedOn = new ConcurrentHashMap<>();
            Map<Connection, String> loopThreads = new ConcurrentHashMap<>();
            long started = System.nanoTime();
            heartbeat.start();
            for (int i = 0; i < 60; i++) {
                Connection connection = newConnection("served-" + i);
                EventLoop loop = loops.next();
                Queue<String> threads = new ConcurrentLinkedQueue<>();
                pingedOn.put(connection, threads);
                connection.servedOn(loop, () -> threads.add(Thread.currentThread().getName()));
                // Added from the loop, as the socket handler does; its own thread's name is what a ping must run on.
                String loopThread = loop.submit(() -> {
                    connections.add(connection);
                    return Thread.currentThread().getName();
                }).get(5, TimeUnit.SECONDS);
                loopThreads.put(connection, loopThread);
                running.add(connection.outbound().subscribe(connection::written));
            }
            assertThat(heartbeat.pingTimers()).as("one timer per event loop").isEqualTo(2);

            // Every socket is pinged, always on its own loop, and once per interval: not once per
            // tick of its loop's timer (a slice of the interval).
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> pingedOn.values().stream().allMatch(threads -> threads.size() >= 2));
            heartbeat.stop();
            long intervals = (System.nanoTime() - started) / PING.toNanos();
            pingedOn.forEach((connection, threads) -> assertThat(threads)
                    .hasSizeLessThanOrEqualTo((int) intervals + 1)
                    .allSatisfy(thread -> assertThat(thread).isEqualTo(loopThreads.get(connection))));

            assertThat(heartbeat.pingTimers()).isZero();
            // A pass under way at the stop finishes before anything queued on its loop after it.
            for (EventExecutor loop : loops) {
                loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            }
            int pingsAtStop = pingedOn.values().stream().mapToInt(Queue::size).sum();
            Thread.sleep(PING.multipliedBy(2).toMillis());
            assertThat(pingedOn.values().stream().mapToInt(Queue::size).sum()).as("no ping after stop").isEqualTo(pingsAtStop);
        }
        finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private Connection newConnection(String id) {
        return new Connection(id, new Guest("g-" + id, "Guest"), "127.0.0.1", JsonMapper.builder().build(),
                properties, 10_000, connections.budget(), slow -> { }, code -> { });
    }

    private Connection open(String id, boolean drained) {
        Connection connection = newConnection(id);
        if (drained) {
            running.add(connection.outbound().subscribe(connection::written));
        }
        connections.add(connection);
        return connection;
    }
}
