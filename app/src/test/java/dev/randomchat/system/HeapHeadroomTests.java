package dev.randomchat.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class HeapHeadroomTests {

    private static final long KIB = 1L << 10;
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
        // The heap held 100 MiB after the last major collection; the burst took it to 300.
        busySecond(law, 100 * MIB, 1, 300 * MIB);
        boolean[] asked = quietSeconds(law, 100 * MIB, 2, 10, 300 * MIB, 5);
        assertThat(asked).containsExactly(false, false, true, false, false, false, false, false, false, false);
    }

    @Test
    void aBurstAfterWhichTheCollectorRanAMajorCollectionAsksForNothing() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1, 300 * MIB);
        // A major collection ended before the first quiet second: 110 MiB after it.
        assertThat(quietSeconds(law, 100 * MIB, 2, 10, 110 * MIB, 6)).containsOnly(false);
    }

    @Test
    void growthUnderATenthOfTheQuietLimitIsLeftToTheCollector() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1, 120 * MIB);
        // 20 MiB more than after the last major collection: under 25.6 MiB.
        assertThat(quietSeconds(law, 100 * MIB, 2, 10, 120 * MIB, 5)).containsOnly(false);
    }

    @Test
    void aQuietServerWhoseHeapGrowsSlowlyIsCollectedAtMostOnceAMinute() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        long used = 100 * MIB;
        int asked = 0;
        int firstAt = -1;
        for (int second = 1; second <= 300; second++) {
            // 200 KiB a second, as idle sockets' pings make it: quiet for a 256 MiB limit (under
            // 256 KiB); nothing is freed here.
            used += 200 * KIB;
            law.next(second * 200 * KIB, second * SECOND, 100 * MIB);
            if (law.quietCollection(used, 5, second * SECOND)) {
                asked++;
                firstAt = firstAt < 0 ? second : firstAt;
            }
        }
        // At 25.6 MiB of growth (132 s), then every 60 s while the heap (never collected here) stays grown.
        assertThat(firstAt).isEqualTo(132);
        assertThat(asked).isEqualTo(3);
    }

    @Test
    void aCollectionResetsWhatTheHeapIsMeasuredAgainst() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        busySecond(law, 100 * MIB, 1, 300 * MIB);
        assertThat(quietSeconds(law, 100 * MIB, 2, 3, 300 * MIB, 5)).containsExactly(false, false, true);
        // The collection left 110 MiB, and the heap stays there: nothing more is asked for.
        assertThat(quietSeconds(law, 102 * MIB, 5, 120, 110 * MIB, 6)).containsOnly(false);
    }

    @Test
    void aServerThatRelaysOrPairsIsNeverCollected() {
        HeapHeadroom.Law law = started(12_288 * MIB);
        for (int second = 1; second < 120; second++) {
            // 1 MiB a second, about 500 messages relayed or visitors paired a second: not quiet.
            busySecond(law, second * MIB, second, 100 * MIB + second * MIB);
        }
    }

    /**
     * A busy second that ends at {@code second} with {@code allocated} bytes allocated so far and
     * {@code used} in the heap, no major collection since the first tick: no collection in it.
     */
    private static void busySecond(HeapHeadroom.Law law, long allocated, int second, long used) {
        law.next(allocated, second * SECOND, 100 * MIB);
        assertThat(law.quietCollection(used, 5, second * SECOND)).isFalse();
    }

    /**
     * {@code count} quiet seconds from {@code first} (128 KiB allocated in each, {@code used}
     * in the heap, the major collections so far {@code majors}): whether each asked for a collection.
     */
    private static boolean[] quietSeconds(HeapHeadroom.Law law, long allocated, int first, int count, long used,
            long majors) {
        boolean[] asked = new boolean[count];
        for (int i = 0; i < count; i++) {
            allocated += 128 * KIB;
            long nanos = (first + i) * SECOND;
            law.next(allocated, nanos, 100 * MIB);
            asked[i] = law.quietCollection(used, majors, nanos);
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

    /**
     * A law of a 256 MiB quiet limit whose first reading (the baseline) is taken, 100 MiB kept and
     * in use, five major collections so far.
     */
    private static HeapHeadroom.Law started(long maxHeap) {
        HeapHeadroom.Law law = new HeapHeadroom.Law(256 * MIB, maxHeap);
        assertThat(law.next(0, 0, 100 * MIB)).isZero();
        assertThat(law.quietCollection(100 * MIB, 5, 0)).isFalse();
        return law;
    }
}
