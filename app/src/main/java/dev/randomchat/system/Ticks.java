package dev.randomchat.system;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The server's periodic Redis work (its presence heartbeat, the waiting leases, channel expiry,
 * the live counts), each task on a timer of Reactor's parallel scheduler. A tick is skipped while
 * the task's previous run is still at work (Redis slow or away), and a failed run is logged and
 * tried again at the next tick.
 *
 * <p>Not Spring's {@code @Scheduled}: one way for all of them, with the skip above, and a stop
 * that follows the web server's. It saves no CPU that the bench can see: an idle server spends
 * on these tasks what their own code costs, code that runs every few seconds and is compiled
 * only after minutes (bench/RESULTS.md, "A relay warm-up on the measured steps").
 *
 * <p>Started before the web server and stopped after it (a lower phase), so that the heartbeat
 * goes on while the sockets drain at shutdown.
 */
@Component
public class Ticks implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Ticks.class);

    /** Below the web server's start (DEFAULT_PHASE - 2048) and graceful shutdown (- 1024). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final List<Task> tasks = new CopyOnWriteArrayList<>();
    private Disposable.Composite timers = Disposables.composite();
    private volatile boolean running;

    /**
     * Runs {@code work} every {@code every}, the first time {@code first} after the start; a task
     * added once the ticks run starts at once.
     */
    public void every(String name, Duration first, Duration every, Supplier<? extends Mono<?>> work) {
        Task task = new Task(name, first, every, work);
        synchronized (this) {
            tasks.add(task);
            if (running) {
                timers.add(task.schedule());
            }
        }
    }

    @Override
    public synchronized void start() {
        timers = Disposables.composite();
        running = true;
        tasks.forEach(task -> timers.add(task.schedule()));
    }

    @Override
    public synchronized void stop() {
        running = false;
        timers.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private static final class Task {

        private final String name;
        private final Duration first;
        private final Duration every;
        private final Supplier<? extends Mono<?>> work;
        private final AtomicBoolean busy = new AtomicBoolean();

        Task(String name, Duration first, Duration every, Supplier<? extends Mono<?>> work) {
            this.name = name;
            this.first = first;
            this.every = every;
            this.work = work;
        }

        Disposable schedule() {
            return Schedulers.parallel().schedulePeriodically(this::run, first.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        private void run() {
            if (!busy.compareAndSet(false, true)) {
                return;
            }
            Mono.defer(work)
                    .doFinally(signal -> busy.set(false))
                    .subscribe(null, ex -> log.warn("{} failed: {}", name, ex.toString()));
        }
    }
}
