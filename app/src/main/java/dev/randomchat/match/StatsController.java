package dev.randomchat.match;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.presence.ServerPresence;

/**
 * {@code GET /api/stats} (no auth): guests online and guests waiting, across all servers. Each
 * server asks Redis at most once per {@link #MAX_AGE}, whatever the traffic: two O(1) counts.
 */
@RestController
class StatsController {

    /** Answers are at most this old (the protocol allows 10 s). */
    static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final Mono<Stats> cached;

    StatsController(ServerPresence presence, Pairings pairings) {
        this.cached = Mono.zip(presence.onlineCount(), pairings.waitingCount())
                .map(counts -> new Stats(counts.getT1(), counts.getT2()))
                // A failure is not kept: the next request asks again.
                .cache(stats -> MAX_AGE, error -> Duration.ZERO, () -> Duration.ZERO);
    }

    record Stats(long online, long waiting) {
    }

    @GetMapping("/api/stats")
    Mono<Stats> stats() {
        return cached;
    }
}
