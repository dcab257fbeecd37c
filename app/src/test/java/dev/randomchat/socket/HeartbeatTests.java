package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

    private Connection open(String id, boolean drained) {
        Connection connection = new Connection(id, new Guest("g-" + id, "Guest"), "127.0.0.1", JsonMapper.builder().build(),
                properties, 10_000, connections.budget(), slow -> { }, code -> { });
        if (drained) {
            running.add(connection.outbound().subscribe(connection::written));
        }
        connections.add(connection);
        return connection;
    }
}
