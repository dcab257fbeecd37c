package dev.randomchat.system;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The periodic tasks on real timers, with periods short enough to watch. */
class TicksTests {

    private static final Duration EVERY = Duration.ofMillis(20);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Ticks ticks = new Ticks();

    @AfterEach
    void stop() {
        ticks.stop();
    }

    @Test
    void runsEachTaskAgainAndAgainFromTheStartAndAfterAFailure() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ticks.every("counting", Duration.ZERO, EVERY, () -> Mono.fromRunnable(runs::incrementAndGet));
        ticks.every("failing", Duration.ZERO, EVERY, () -> {
            failures.incrementAndGet();
            return Mono.error(new IllegalStateException("Redis away"));
        });
        assertThat(runs).as("nothing before the start").hasValue(0);

        ticks.start();

        await().atMost(WAIT).until(() -> runs.get() >= 5 && failures.get() >= 5);
        assertThat(ticks.isRunning()).isTrue();
    }

    @Test
    void skipsTicksWhileTheRunBeforeIsStillAtWork() {
        AtomicInteger runs = new AtomicInteger();
        Sinks.Empty<Void> slow = Sinks.empty();
        ticks.every("slow", Duration.ZERO, EVERY, () -> {
            runs.incrementAndGet();
            return slow.asMono();
        });
        ticks.start();
        await().atMost(WAIT).until(() -> runs.get() == 1);
        // For ten periods the first run is still at work: no second one begins.
        await().during(EVERY.multipliedBy(10)).atMost(WAIT).until(() -> runs.get() == 1);

        slow.tryEmitEmpty();

        await().atMost(WAIT).until(() -> runs.get() >= 2);
    }

    @Test
    void aTaskAddedOnceRunningStartsAndNothingRunsAfterTheStop() {
        ticks.start();
        AtomicInteger runs = new AtomicInteger();
        ticks.every("late", Duration.ZERO, EVERY, () -> Mono.fromRunnable(runs::incrementAndGet));
        await().atMost(WAIT).until(() -> runs.get() >= 2);

        ticks.stop();
        int atStop = runs.get();

        assertThat(ticks.isRunning()).isFalse();
        // A run already begun may end; none begins for ten periods.
        await().during(EVERY.multipliedBy(10)).atMost(WAIT).until(() -> runs.get() <= atStop + 1);
    }
}
