package dev.randomchat.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottleTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void noMoreThanTheLimitRunAtOnceAndTheRestStartInOrderAsOthersFinish() {
        Throttle throttle = new Throttle(3);
        List<Sinks.Empty<Void>> gates = new ArrayList<>();
        List<Integer> started = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Mono<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            Sinks.Empty<Void> gate = Sinks.empty();
            gates.add(gate);
            calls.add(throttle.run(() -> {
                started.add(n);
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                return gate.asMono().doOnTerminate(running::decrementAndGet);
            }).cache());
        }
        calls.forEach(Mono::subscribe);

        assertThat(started).containsExactly(0, 1, 2);
        gates.get(1).tryEmitEmpty();
        assertThat(started).containsExactly(0, 1, 2, 3);
        StepVerifier.create(calls.get(1)).verifyComplete();
        gates.forEach(Sinks.Empty::tryEmitEmpty);

        StepVerifier.create(Mono.when(calls)).expectComplete().verify(WAIT);
        assertThat(started).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(most.get()).isEqualTo(3);
    }

    @Test
    void aFailureReachesItsCallerOnlyAndTheNextStillRun() {
        Throttle throttle = new Throttle(1);
        Mono<Void> failing = throttle.run(() -> Mono.error(new IllegalStateException("redis away")));
        AtomicInteger after = new AtomicInteger();
        Mono<Void> next = throttle.run(() -> Mono.fromRunnable(after::incrementAndGet));

        StepVerifier.create(failing).expectErrorMessage("redis away").verify(WAIT);
        StepVerifier.create(next).expectComplete().verify(WAIT);
        assertThat(after.get()).isEqualTo(1);
    }

    @Test
    void callsFromManyThreadsAtOnceAreAllRun() {
        Throttle throttle = new Throttle(4);
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Mono<Void>> calls = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    Mono<Void> call = throttle.run(() -> Mono.fromRunnable(done::incrementAndGet)).cache();
                    call.subscribe();
                    calls.add(call);
                }
            });
            thread.start();
            threads.add(thread);
        }
        threads.forEach(thread -> {
            try {
                thread.join(WAIT.toMillis());
            }
            catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
            }
        });

        StepVerifier.create(Mono.when(calls)).expectComplete().verify(WAIT);
        assertThat(done.get()).isEqualTo(4_000);
    }
}
