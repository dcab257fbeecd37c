package dev.randomchat.system;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Runs work at most {@code limit} at a time; the rest waits its turn, in order. For work that comes
 * in bursts and talks to Redis: the sockets of a whole step, or of a dropped load balancer, close
 * together, and three seconds later (the presence grace) each would send its channel's leave
 * script at the same instant. Redis runs a connection's pipelined commands back to back, so a
 * thousand of them held every other client's commands for tens of milliseconds; a few at a time,
 * other commands pass between them. Each waiting task is one small entry, and there are never more
 * than the sockets that closed.
 */
public final class Throttle {

    private record Task(Supplier<Mono<Void>> work, Sinks.One<Void> done) {
    }

    private final Sinks.Many<Task> tasks = Sinks.many().unicast().onBackpressureBuffer(Queues.<Task>unbounded().get());

    public Throttle(int limit) {
        tasks.asFlux()
                .flatMap(task -> Mono.defer(task.work())
                        .doOnSuccess(ignored -> task.done().tryEmitEmpty())
                        .onErrorResume(ex -> {
                            task.done().tryEmitError(ex);
                            return Mono.empty();
                        }), limit)
                .subscribe();
    }

    /**
     * Runs {@code work} once fewer than the limit are running; completes (or fails) as it does. A
     * caller that stops waiting does not take the work back: it runs in its turn.
     */
    public Mono<Void> run(Supplier<Mono<Void>> work) {
        return Mono.defer(() -> {
            Sinks.One<Void> done = Sinks.one();
            // A unicast sink refuses concurrent emits rather than order them: one caller at a time.
            synchronized (this) {
                tasks.emitNext(new Task(work, done), Sinks.EmitFailureHandler.FAIL_FAST);
            }
            return done.asMono();
        });
    }
}
