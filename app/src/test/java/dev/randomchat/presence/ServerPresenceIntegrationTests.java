package dev.randomchat.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import dev.randomchat.support.ScriptRedis;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Guests counted online across servers, on a real Redis with no server around it. */
class ServerPresenceIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ScriptRedis REDIS = new ScriptRedis();

    @Test
    void countsAThousandGuestsThatArriveAtOnceInAFewScriptRuns() {
        ServerId server = new ServerId();
        ServerPresence presence = new ServerPresence(REDIS.get(), server);
        long runsBefore = scriptRuns();
        List<Mono<Void>> opened = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            opened.add(presence.opened("many-" + i));
        }
        Mono.when(opened).block(WAIT);
        long runs = scriptRuns() - runsBefore;

        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isEqualTo(1000);
        assertThat(presence.onlineCount().block(WAIT)).isEqualTo(1000);
        // One run per guest would be 1,000: the changes made while a run was under way share the next.
        assertThat(runs).as("script runs for 1,000 arrivals").isLessThan(100);

        List<Mono<Void>> closed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            closed.add(presence.closed("many-" + i));
        }
        Mono.when(closed).block(WAIT);
        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isZero();
        assertThat(presence.onlineCount().block(WAIT)).isZero();
    }

    @Test
    void socketsThatComeOneAtATimeWithinTheLingerShareARun() {
        ServerId server = new ServerId();
        ServerPresence presence = new ServerPresence(REDIS.get(), server);
        long runsBefore = scriptRuns();
        long started = System.nanoTime();
        List<Mono<Void>> opened = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            opened.add(presence.opened("spaced-" + i));
            // Longer than a round trip to this Redis: without the linger each would be a run of its own.
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
        long spanMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
        Mono.when(opened).block(WAIT);
        long runs = scriptRuns() - runsBefore;

        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isEqualTo(10);
        // One run per linger window the arrivals spanned, and one for those that came while it ran.
        assertThat(runs).as("script runs for 10 arrivals over %d ms", spanMs)
                .isLessThanOrEqualTo(spanMs / ServerPresence.LINGER.toMillis() + 2);

        List<Mono<Void>> closed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            closed.add(presence.closed("spaced-" + i));
        }
        Mono.when(closed).block(WAIT);
        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isZero();
    }

    @Test
    void aCallerThatStopsWaitingLeavesItsBatchToTheOthers() {
        ServerId server = new ServerId();
        ServerPresence presence = new ServerPresence(REDIS.get(), server);
        // The first arrival starts a script run; the others, made while it is under way, wait on
        // the batches after it together.
        List<Mono<Void>> opened = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            opened.add(presence.opened("patient-" + i));
        }
        // Cancelled at once, as a socket's cleanup is when the server shuts down.
        opened.remove(998).subscribe().dispose();

        Mono.when(opened).block(WAIT);
        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isEqualTo(1000);
        assertThat(REDIS.get().commands().sismember(guestsOf(server), "patient-998").block(WAIT)).isTrue();

        List<Mono<Void>> closed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            closed.add(presence.closed("patient-" + i));
        }
        Mono.when(closed).block(WAIT);
        assertThat(REDIS.get().commands().scard(guestsOf(server)).block(WAIT)).isZero();
    }

    @Test
    void aGuestThatComesAndGoesWhileABatchIsUnderWayEndsAsItIsHere() {
        ServerId server = new ServerId();
        ServerPresence presence = new ServerPresence(REDIS.get(), server);
        for (int i = 0; i < 200; i++) {
            presence.opened("flicker").subscribe();
            presence.closed("flicker").subscribe();
        }
        presence.opened("flicker").block(WAIT);
        await().atMost(WAIT).until(() -> online("flicker") == 1);
        assertThat(REDIS.get().commands().sismember(guestsOf(server), "flicker").block(WAIT)).isTrue();

        presence.closed("flicker").block(WAIT);
        await().atMost(WAIT).until(() -> online("flicker") == 0);
        assertThat(REDIS.get().commands().sismember(guestsOf(server), "flicker").block(WAIT)).isFalse();
    }

    @Test
    void aGuestStaysOnlineUntilItsLastSocketOnItsLastServerCloses() {
        ServerPresence first = new ServerPresence(REDIS.get(), new ServerId());
        ServerPresence second = new ServerPresence(REDIS.get(), new ServerId());

        first.opened("tabs").block(WAIT);
        first.opened("tabs").block(WAIT);
        second.opened("tabs").block(WAIT);
        assertThat(online("tabs")).as("servers holding a socket").isEqualTo(2);

        first.closed("tabs").block(WAIT);
        assertThat(online("tabs")).as("one socket left on the first server").isEqualTo(2);
        first.closed("tabs").block(WAIT);
        assertThat(online("tabs")).isEqualTo(1);
        second.closed("tabs").block(WAIT);
        assertThat(online("tabs")).isZero();
    }

    /** Servers holding a socket of the guest, as the online hash says (0 when absent). */
    private static long online(String guest) {
        String count = REDIS.get().commands().hget(REDIS.get().key("{p}", "online"), guest).block(WAIT);
        return count == null ? 0 : Long.parseLong(count);
    }

    private static String guestsOf(ServerId server) {
        return REDIS.get().key("{p}", "guests", server.value());
    }

    /** Scripts run by this Redis so far, by any client. */
    private static long scriptRuns() {
        return REDIS.calls("evalsha", "eval");
    }
}
