package dev.randomchat.bench;

import org.junit.jupiter.api.Test;

import dev.randomchat.bench.infra.Stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatsTests {

    @Test
    void fitsTheSlopeOfAPerfectLine() {
        Stats.Line line = Stats.fit(new double[] {1_000, 2_000, 4_000}, new double[] {10_000, 15_000, 25_000});

        assertThat(line.slope()).isCloseTo(5, within(1e-9));
        assertThat(line.intercept()).isCloseTo(5_000, within(1e-6));
        assertThat(line.r2()).isCloseTo(1, within(1e-9));
    }

    @Test
    void readsFieldsOfAServerFrameWithoutAParser() {
        String frame = "{\"type\":\"message\",\"channelId\":\"c1\",\"seq\":42,\"cmid\":\"m7\",\"from\":\"g\","
                + "\"sentAt\":\"2025-01-01T00:00:00Z\",\"text\":\"3:7:-123456 hi\"}";

        assertThat(Stats.longAfter(frame, "\"seq\":")).isEqualTo(42);
        assertThat(Stats.stringAfter(frame, "\"channelId\":\"")).isEqualTo("c1");
        assertThat(Stats.longAfter("x\"n\":-17,", "\"n\":")).isEqualTo(-17);
    }
}
