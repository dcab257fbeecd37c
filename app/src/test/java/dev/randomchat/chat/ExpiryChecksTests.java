package dev.randomchat.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiryChecksTests {

    @Test
    void givesEachChannelOnceWhenItFallsDue() {
        ExpiryChecks checks = new ExpiryChecks();
        checks.watch("a", 100);
        checks.watch("b", 300);
        assertThat(checks.takeDue(99)).isEmpty();
        assertThat(checks.takeDue(100)).containsExactly("a");
        assertThat(checks.takeDue(200)).isEmpty();
        assertThat(checks.takeDue(1_000)).containsExactly("b");
        assertThat(checks.takeDue(2_000)).isEmpty();
    }

    @Test
    void aSecondWatchKeepsTheFirstTimeButAScheduleReplacesIt() {
        ExpiryChecks checks = new ExpiryChecks();
        checks.watch("a", 100);
        checks.watch("a", 50);
        assertThat(checks.takeDue(60)).isEmpty();
        checks.schedule("a", 500);
        assertThat(checks.takeDue(200)).isEmpty();
        assertThat(checks.takeDue(500)).containsExactly("a");
        // Taken: watched again from scratch.
        checks.watch("a", 600);
        assertThat(checks.takeDue(600)).containsExactly("a");
    }
}
