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
