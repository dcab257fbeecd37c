package dev.randomchat.call;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * {@code chat.calls.requested}, {@code chat.calls.accepted}, {@code chat.calls.ended} (tagged by
 * {@code reason}: declined, cancelled, hungup, replaced, channel_ended) and {@code chat.calls.active}.
 *
 * <p>A call is accepted on one server and may end on another, so {@code chat.calls.active} counts up
 * where calls are accepted and down where they end: the sum over all servers is the number of calls
 * in progress; one server's value alone may even be negative.
 */
@Component
class CallMetrics {

    private final MeterRegistry meters;
    private final Counter requested;
    private final Counter accepted;
    private final AtomicLong active = new AtomicLong();

    CallMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.requested = Counter.builder("chat.calls.requested").description("Video and voice calls requested")
                .register(meters);
        this.accepted = Counter.builder("chat.calls.accepted").description("Calls accepted by the other guest")
                .register(meters);
        Gauge.builder("chat.calls.active", active, AtomicLong::get)
                .description("Calls in progress (accepted here minus ended here: sum over all servers)")
                .register(meters);
    }

    /** Counts what media.lua or over.lua reported. */
    void outcome(String outcome) {
        switch (outcome) {
            case "requested" -> requested.increment();
            case "replaced" -> {
                requested.increment();
                ended("replaced");
            }
            case "accepted" -> {
                accepted.increment();
                active.incrementAndGet();
            }
            case "hungup" -> {
                active.decrementAndGet();
                ended("hungup");
            }
            case "declined", "cancelled" -> ended(outcome);
            default -> {
            }
        }
    }

    /** A call that was {@code state} (pending or active) ended because its channel did. */
    void endedWithChannel(String state) {
        if ("active".equals(state)) {
            active.decrementAndGet();
        }
        ended("channel_ended");
    }

    private void ended(String reason) {
        Counter.builder("chat.calls.ended")
                .description("Calls (requested or accepted) that ended, by reason")
                .tag("reason", reason)
                .register(meters)
                .increment();
    }
}
