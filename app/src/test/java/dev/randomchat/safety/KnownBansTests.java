package dev.randomchat.safety;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The list that spares a socket upgrade its Redis round trip: it may list too many, never too few. */
class KnownBansTests {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final KnownBans known = new KnownBans(now::get);

    @Test
    void beforeItsFirstLoadEveryGuestIsAskedAboutInRedis() {
        assertThat(known.lookup("g1")).isNotEqualTo(KnownBans.CLEAR);
        known.heard("g2", now.get() + 60_000);
        assertThat(known.lookup("g2")).isNotEqualTo(KnownBans.CLEAR);
    }

    @Test
    void onceLoadedOnlyListedGuestsAreAskedAboutUntilTheirBanEnds() {
        assertThat(known.loaded(known.invalidate(), Map.of("banned", now.get() + 60_000), true)).isTrue();

        assertThat(known.lookup("anyone")).isEqualTo(KnownBans.CLEAR);
        assertThat(known.lookup("banned")).isNotEqualTo(KnownBans.CLEAR);
        now.addAndGet(60_000);
        assertThat(known.lookup("banned")).isEqualTo(KnownBans.CLEAR);
        assertThat(known.size()).isZero();
    }

    @Test
    void aBanHeardIsListedAtOnceAndAGuestRedisClearedLeavesTheList() {
        known.loaded(known.invalidate(), Map.of(), true);
        known.heard("eve", now.get() + 3_600_000);
        long looked = known.lookup("eve");
        assertThat(looked).isNotEqualTo(KnownBans.CLEAR);

        known.cleared("eve", looked);
        assertThat(known.lookup("eve")).isEqualTo(KnownBans.CLEAR);
    }

    @Test
    void aBanHeardWhileRedisWasAskedStaysListedWhateverRedisAnswered() {
        known.loaded(known.invalidate(), Map.of(), true);
        known.heard("eve", now.get() + 1_000);
        long looked = known.lookup("eve");
        // Lifted, asked about, and banned again before the answer came back.
        known.heard("eve", now.get() + 7_200_000);
        known.cleared("eve", looked);

        assertThat(known.lookup("eve")).isNotEqualTo(KnownBans.CLEAR);
    }

    @Test
    void aProvisionalEndIsReplacedByTheBansOwnButNotANewerBan() {
        known.loaded(known.invalidate(), Map.of(), true);
        long provisional = now.get() + 1_000_000_000L;
        known.heard("eve", provisional);
        known.endsAt("eve", provisional, now.get() + 5_000);
        now.addAndGet(5_000);
        assertThat(known.lookup("eve")).isEqualTo(KnownBans.CLEAR);

        known.heard("bob", provisional);
        known.heard("bob", provisional + 1);
        known.endsAt("bob", provisional, now.get() + 1);
        now.addAndGet(1);
        assertThat(known.lookup("bob")).isNotEqualTo(KnownBans.CLEAR);
    }

    @Test
    void aLoadOvertakenByAReconnectLeavesTheListNotReady() {
        int first = known.invalidate();
        int second = known.invalidate();

        assertThat(known.loaded(first, Map.of(), true)).isFalse();
        assertThat(known.lookup("anyone")).isNotEqualTo(KnownBans.CLEAR);
        assertThat(known.loaded(second, Map.of(), true)).isTrue();
        assertThat(known.lookup("anyone")).isEqualTo(KnownBans.CLEAR);

        known.invalidate();
        assertThat(known.lookup("anyone")).as("after a reconnect, until loaded again").isNotEqualTo(KnownBans.CLEAR);
    }

    @Test
    void moreBansThanItHoldsMeansEveryGuestIsAskedAbout() {
        Map<String, Long> many = new HashMap<>();
        for (int i = 0; i <= KnownBans.CAPACITY; i++) {
            many.put("g" + i, now.get() + 60_000);
        }
        assertThat(known.loaded(known.invalidate(), many, true)).isFalse();
        assertThat(known.loaded(known.invalidate(), Map.of(), false)).as("a read cut short").isFalse();
        assertThat(known.lookup("anyone")).isNotEqualTo(KnownBans.CLEAR);

        known.loaded(known.invalidate(), Map.of(), true);
        for (int i = 0; i <= KnownBans.CAPACITY; i++) {
            known.heard("h" + i, now.get() + 60_000);
        }
        assertThat(known.lookup("anyone")).isNotEqualTo(KnownBans.CLEAR);
        assertThat(known.size()).isLessThanOrEqualTo(KnownBans.CAPACITY);
    }

    @Test
    void aLoadDropsEndedBansAndKeepsThoseHeardMeanwhile() {
        known.heard("old", now.get() + 10);
        int load = known.invalidate();
        known.heard("meanwhile", now.get() + 60_000);
        now.addAndGet(10);
        assertThat(known.loaded(load, Map.of("indexed", now.get() + 60_000), true)).isTrue();

        assertThat(known.size()).isEqualTo(2);
        assertThat(known.lookup("meanwhile")).isNotEqualTo(KnownBans.CLEAR);
        assertThat(known.lookup("indexed")).isNotEqualTo(KnownBans.CLEAR);
        assertThat(known.lookup("old")).isEqualTo(KnownBans.CLEAR);
    }
}
