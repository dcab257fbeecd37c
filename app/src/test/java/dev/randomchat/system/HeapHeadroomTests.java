package dev.randomchat.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeapHeadroomTests {

    private static final long MIB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aQuietServerKeepsTheLimitItStartedWith() {
        HeapHeadroom.Law law = new HeapHeadroom.Law(256 * MIB, 12_288 * MIB);

        assertThat(law.next(0, 0, 60 * MIB)).isZero();
        // 2 MiB a second and 60 MiB kept: far under 256 MiB, nothing to change.
        assertThat(law.next(2 * MIB, SECOND, 60 * MIB)).isZero();
        assertThat(law.next(4 * MIB, 2 * SECOND, 60 * MIB)).isZero();
    }

    @Test
    void aBurstRaisesTheLimitToWhatSurvivesPlusAFewSecondsOfAllocation() {
        HeapHeadroom.Law law = started(12_288 * MIB);

        // 100 MiB a second for 8 s on top of the 100 MiB kept.
        assertThat(law.next(100 * MIB, SECOND, 100 * MIB)).isEqualTo(904 * MIB);
    }

    @Test
    void theLimitNeverPassesFourTimesTheQuietOneNorTheMaximumHeap() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        assertThat(law.next(2_000 * MIB, SECOND, 100 * MIB)).isEqualTo(1_024 * MIB);

        HeapHeadroom.Law small = started(512 * MIB);
        assertThat(small.next(2_000 * MIB, SECOND, 100 * MIB)).isEqualTo(512 * MIB);
    }

    @Test
    void afterTheBurstTheLimitFallsBackWithinSecondsNotAtTheFirstQuietOne() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        long raised = law.next(100 * MIB, SECOND, 100 * MIB);
        assertThat(raised).isEqualTo(904 * MIB);

        long allocated = 100 * MIB;
        long first = law.next(allocated, 2 * SECOND, 100 * MIB);
        assertThat(first).isBetween(256 * MIB, raised - 1);
        assertThat(first).isGreaterThan(500 * MIB);
        long last = first;
        int seconds = 2;
        while (last != 256 * MIB && seconds < 60) {
            seconds++;
            long next = law.next(allocated, seconds * SECOND, 100 * MIB);
            last = next == 0 ? last : next;
        }
        assertThat(last).isEqualTo(256 * MIB);
        assertThat(seconds).isLessThan(10);
    }

    @Test
    void anUnchangedLimitIsNotSetAgain() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        assertThat(law.next(100 * MIB, SECOND, 100 * MIB)).isEqualTo(904 * MIB);
        assertThat(law.next(200 * MIB, 2 * SECOND, 100 * MIB)).isZero();
    }

    @Test
    void theEndOfABurstAsksForOneCollectionAtItsThirdQuietSecond() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1);
        boolean[] asked = quietSeconds(law, 100 * MIB, 2, 10, 5);
        assertThat(asked).containsExactly(false, false, true, false, false, false, false, false, false, false);
    }

    @Test
    void aBurstAfterWhichTheCollectorRanAMajorCollectionAsksForNothing() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1);
        assertThat(quietSeconds(law, 100 * MIB, 2, 10, 6)).containsOnly(false);
    }

    @Test
    void aSmallBurstAsksForNothing() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        // 40 MiB in a second is busy (over 2 MiB a second), but under 64 MiB in all.
        busySecond(law, 40 * MIB, 1);
        assertThat(quietSeconds(law, 40 * MIB, 2, 10, 5)).containsOnly(false);
    }

    @Test
    void aBurstMadeOfSeveralBusySecondsCountsThemAll() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        for (int second = 1; second <= 4; second++) {
            busySecond(law, second * 20 * MIB, second);
        }
        assertThat(quietSeconds(law, 80 * MIB, 5, 5, 5)).containsExactly(false, false, true, false, false);
    }

    @Test
    void burstsWithinAMinuteOfTheLastCollectionAskedForAreLeftToTheCollector() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1);
        assertThat(quietSeconds(law, 100 * MIB, 2, 3, 5)).containsExactly(false, false, true);
        // A second burst 10 s later: its end is decided, and left alone.
        busySecond(law, 200 * MIB, 11);
        assertThat(quietSeconds(law, 200 * MIB, 12, 50, 5)).containsOnly(false);
        // A third one more than a minute after the first collection.
        busySecond(law, 300 * MIB, 70);
        assertThat(quietSeconds(law, 300 * MIB, 71, 3, 5)).containsExactly(false, false, true);
    }

    @Test
    void aServerThatIsNeverBusyIsNeverCollected() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        for (int second = 1; second < 120; second++) {
            // 1 MiB a second: quiet for a 256 MiB limit (under 2 MiB), however much piles up.
            law.next(second * MIB, second * SECOND, 100 * MIB);
            assertThat(law.burstEnded(5, second * SECOND)).isFalse();
        }
    }

    /** A busy second that ends at {@code second} with {@code allocated} bytes allocated so far: no collection in it. */
    private static void busySecond(HeapHeadroom.Law law, long allocated, int second) {
        law.next(allocated, second * SECOND, 100 * MIB);
        assertThat(law.burstEnded(5, second * SECOND)).isFalse();
    }

    /**
     * {@code count} quiet seconds from {@code first} (half a MiB allocated in each, the major
     * collections so far {@code majors}): whether each asked for a collection.
     */
    private static boolean[] quietSeconds(HeapHeadroom.Law law, long allocated, int first, int count, long majors) {
        boolean[] asked = new boolean[count];
        for (int i = 0; i < count; i++) {
            allocated += MIB / 2;
            long nanos = (first + i) * SECOND;
            law.next(allocated, nanos, 100 * MIB);
            asked[i] = law.burstEnded(majors, nanos);
        }
        return asked;
    }

    @Test
    void heapHeadroomIsTrueOrFalseAndNothingElse() {
        assertThat(new JvmProperties(null).headroom()).isTrue();
        assertThat(new JvmProperties(" false ").headroom()).isFalse();
        assertThatIllegalArgumentException().isThrownBy(() -> new JvmProperties("maybe"))
                .withMessage("HEAP_HEADROOM must be true or false, not maybe");
    }

    /** A law of a 256 MiB quiet limit whose first reading (the baseline) is taken, 100 MiB kept. */
    private static HeapHeadroom.Law started(long maxHeap) {
        HeapHeadroom.Law law = new HeapHeadroom.Law(256 * MIB, maxHeap);
        assertThat(law.next(0, 0, 100 * MIB)).isZero();
        return law;
    }
}
