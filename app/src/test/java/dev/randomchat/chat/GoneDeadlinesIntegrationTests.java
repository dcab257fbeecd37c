package dev.randomchat.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.randomchat.chat.GoneDeadlines.Deadline;
import dev.randomchat.support.ScriptRedis;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Peer-gone deadlines on a real Redis, with no server around them: each taken by one server, and
 * Redis asked only when a deadline can be due (the claims of an idle server were two thirds of its
 * periodic Redis work).
 */
class GoneDeadlinesIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ScriptRedis REDIS = new ScriptRedis();

    @Test
    void asksRedisOnceWhileNothingIsDueAndTakesItsOwnDeadlineWhenItFallsDue() {
        GoneDeadlines deadlines = new GoneDeadlines(REDIS.get());
        long runs = scriptRuns();
        for (int tick = 0; tick < 5; tick++) {
            assertThat(claim(deadlines, 10)).isEmpty();
        }
        assertThat(scriptRuns() - runs).as("claims while no deadline exists").isEqualTo(1);

        Deadline deadline = new Deadline("channel-a", "guest-a", "");
        deadlines.schedule(deadline, System.currentTimeMillis() + 600).block(WAIT);
        runs = scriptRuns();
        List<Deadline> taken = new ArrayList<>();
        // Ticks every 20 ms: the first claim after the write learns when the deadline falls due,
        // and the next asks when it has.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> taken.addAll(claim(deadlines, 10)));
        assertThat(taken).containsExactly(deadline);
        assertThat(scriptRuns() - runs).as("claims for one deadline 600 ms ahead").isBetween(2L, 3L);
        assertThat(claim(deadlines, 10)).isEmpty();
    }

    @Test
    void takesWhatAnotherServerWroteWithinASweepAndEachDeadlineOnce() {
        GoneDeadlines here = new GoneDeadlines(REDIS.get());
        GoneDeadlines there = new GoneDeadlines(REDIS.get());
        assertThat(claim(here, 10)).isEmpty();
        // Written by a server that then died before its next tick: this one learns of it by its sweep.
        Deadline orphan = new Deadline("channel-b", "guest-b", "");
        there.schedule(orphan, System.currentTimeMillis()).block(WAIT);
        long quietFrom = System.nanoTime();
        List<Deadline> taken = new ArrayList<>();
        await().atMost(GoneDeadlines.SWEEP.plus(WAIT)).pollInterval(Duration.ofMillis(50))
                .until(() -> taken.addAll(claim(here, 10)));
        assertThat(taken).containsExactly(orphan);
        assertThat(Duration.ofNanos(System.nanoTime() - quietFrom)).as("within a sweep, not at the next tick")
                .isGreaterThan(GoneDeadlines.SWEEP.minusSeconds(1));
        assertThat(claim(there, 10)).as("taken once").isEmpty();
    }

    @Test
    void claimsAgainAtTheNextTickWhileMoreAreDueThanOneClaimTakes() {
        GoneDeadlines deadlines = new GoneDeadlines(REDIS.get());
        long now = System.currentTimeMillis();
        for (int i = 0; i < 5; i++) {
            deadlines.schedule(new Deadline("channel-c", "guest-" + i, ""), now - i).block(WAIT);
        }
        assertThat(claim(deadlines, 2)).hasSize(2);
        assertThat(claim(deadlines, 2)).hasSize(2);
        assertThat(claim(deadlines, 2)).hasSize(1);
        assertThat(claim(deadlines, 2)).isEmpty();
    }

    private static List<Deadline> claim(GoneDeadlines deadlines, int limit) {
        return deadlines.claimDue(limit).collectList().block(WAIT);
    }

    private static long scriptRuns() {
        return REDIS.calls("evalsha", "eval");
    }
}
