package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;
import dev.randomchat.protocol.CloseCode;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTests {

    private static final long CAP = 64 * 1024;
    private static final String FRAME = "{\"type\":\"message\",\"text\":\"" + "x".repeat(4000) + "\"}";

    private final List<Connection> slow = new ArrayList<>();

    @Test
    void closesWith1013OnceItsQueuedBytesWouldPassTheCap() {
        Connection connection = connection(new OutboundBudget(Long.MAX_VALUE));
        int accepted = 0;
        while (connection.sendJson(FRAME) && accepted < 1000) {
            accepted++;
        }
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.closeCode()).isEqualTo(CloseCode.TOO_SLOW);
        assertThat(slow).containsExactly(connection);
        assertThat((long) accepted * FRAME.length()).isLessThanOrEqualTo(CAP).isGreaterThan(CAP - 2 * FRAME.length());
    }

    @Test
    void shedsDroppableFramesOnceHalfTheBytesAreQueued() {
        Connection connection = connection(new OutboundBudget(Long.MAX_VALUE));
        while (connection.queuedBytes() + FRAME.length() <= CAP / 2) {
            assertThat(connection.sendJson(FRAME)).isTrue();
        }
        assertThat(connection.sendDroppable(FRAME)).isFalse();
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void givesBytesBackAsTheWriterTakesFramesAndHasRoomForAPageOnlyWhenAQuarterFull() {
        OutboundBudget budget = new OutboundBudget(Long.MAX_VALUE);
        Connection connection = connection(budget);
        assertThat(connection.replayPageBytes()).isEqualTo((int) CAP / 4);
        List<String> queued = new ArrayList<>();
        while (connection.queuedBytes() <= CAP / 4) {
            connection.sendJson(FRAME);
            queued.add(FRAME);
        }
        assertThat(connection.hasRoom()).isFalse();
        assertThat(budget.queued()).isEqualTo(connection.queuedBytes());
        var room = connection.room().toFuture();
        assertThat(room).isNotDone();
        connection.written(queued.remove(0));
        assertThat(connection.hasRoom()).isTrue();
        assertThat(room).succeedsWithin(Duration.ofSeconds(5));
        connection.release();
        assertThat(budget.queued()).isZero();
    }

    @Test
    void closesASocketHoldingMoreThanItsShareOnceTheServersBudgetIsSpent() {
        OutboundBudget budget = new OutboundBudget(CAP / 2);
        Connection greedy = connection(budget);
        Connection modest = connection(budget);
        while (greedy.isOpen() && greedy.queuedBytes() < CAP / 2) {
            greedy.sendJson(FRAME);
        }
        assertThat(budget.spent()).isTrue();
        assertThat(modest.sendJson(FRAME)).as("a small queue still takes frames").isTrue();
        assertThat(modest.sendDroppable(FRAME)).as("but nothing droppable").isFalse();
        greedy.sendJson(FRAME);
        assertThat(greedy.isOpen()).isFalse();
        assertThat(greedy.closeCode()).isEqualTo(CloseCode.TOO_SLOW);
        assertThat(modest.isOpen()).isTrue();
    }

    @Test
    void countsAsStalledOnlyWhileFramesWaitAndTheWriterTakesNone() {
        Connection connection = connection(new OutboundBudget(Long.MAX_VALUE));
        assertThat(connection.stalledFor()).isZero();
        connection.sendJson(FRAME);
        assertThat(connection.stalledFor()).isPositive();
        Disposable writer = connection.outbound().subscribe(connection::written);
        assertThat(connection.stalledFor()).isZero();
        writer.dispose();
    }

    @Test
    void writesAnIdleSocketsPingStraightAndQueuesItBehindFramesOtherwise() {
        Connection connection = connection(new OutboundBudget(Long.MAX_VALUE));
        List<String> written = new ArrayList<>();
        Disposable writer = connection.outbound().subscribe(written::add);
        int[] direct = new int[1];
        connection.servedOn(Runnable::run, () -> direct[0]++);

        connection.ping();
        assertThat(direct[0]).as("nothing queued: written straight").isEqualTo(1);
        assertThat(connection.queuedBytes()).isZero();

        connection.sendJson(FRAME);
        connection.ping();
        assertThat(direct[0]).as("frames queued: the ping waits behind them").isEqualTo(1);
        assertThat(written).containsExactly(FRAME, Connection.PING);

        connection.close(CloseCode.IDLE);
        connection.ping();
        assertThat(direct[0]).as("no ping once closed").isEqualTo(1);
        writer.dispose();
    }

    private Connection connection(OutboundBudget budget) {
        SocketProperties properties = new SocketProperties(100, 100, 4096, 4000, 20, 40, Duration.ofSeconds(25),
                Duration.ofSeconds(60), 10_000, Duration.ZERO, CAP, 0, Duration.ofSeconds(30), 30, 10);
        return new Connection("c" + slow.size(), new Guest("g", "Guest"), "127.0.0.1", JsonMapper.builder().build(),
                properties, 10_000, budget, slow::add, code -> { });
    }
}
