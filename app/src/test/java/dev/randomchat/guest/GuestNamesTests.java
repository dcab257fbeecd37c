package dev.randomchat.guest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GuestNamesTests {

    /** Outside the Basic Multilingual Plane: one code point, two Java chars. */
    private static final String GRINNING = "\uD83D\uDE00";

    @Test
    void acceptsPlainName() {
        assertThat(GuestNames.problem("Ada")).isEmpty();
        assertThat(GuestNames.clean("Ada")).contains("Ada");
    }

    @Test
    void refusesMissingName() {
        assertThat(GuestNames.problem(null)).isPresent();
        assertThat(GuestNames.clean(null)).isEmpty();
    }

    @Test
    void refusesEmptyName() {
        assertThat(GuestNames.problem("")).hasValueSatisfying(problem -> assertThat(problem).contains("empty"));
    }

    @Test
    void refusesBlankName() {
        assertThat(GuestNames.problem("   ")).isPresent();
        assertThat(GuestNames.problem("\t \u2003")).isPresent();
        assertThat(GuestNames.clean(" ")).isEmpty();
    }

    @Test
    void trimsSurroundingWhitespace() {
        assertThat(GuestNames.clean("  Ada Lovelace \t")).contains("Ada Lovelace");
        assertThat(GuestNames.clean("\u2003Ada\u2003")).contains("Ada");
    }

    @Test
    void acceptsTwentyFourCodePoints() {
        assertThat(GuestNames.problem("a".repeat(24))).isEmpty();
        assertThat(GuestNames.problem(GRINNING.repeat(24))).isEmpty();
        assertThat(GuestNames.clean(GRINNING.repeat(24))).contains(GRINNING.repeat(24));
    }

    @Test
    void refusesTwentyFiveCodePoints() {
        assertThat(GuestNames.problem("a".repeat(25))).hasValueSatisfying(problem -> assertThat(problem).contains("24"));
        assertThat(GuestNames.problem(GRINNING.repeat(25))).isPresent();
        assertThat(GuestNames.problem(GRINNING.repeat(12) + "a")).isEmpty();
        assertThat(GuestNames.problem("a".repeat(24) + GRINNING)).isPresent();
    }

    @Test
    void countsLengthAfterTrimming() {
        assertThat(GuestNames.problem("  " + "a".repeat(24) + "  ")).isEmpty();
        assertThat(GuestNames.clean("  " + "a".repeat(24) + "  ")).contains("a".repeat(24));
    }

    @Test
    void refusesControlCharacters() {
        assertThat(GuestNames.problem("Ada\u0000Bob")).isPresent();
        assertThat(GuestNames.problem("Ada\u0007")).isPresent();
        assertThat(GuestNames.problem("Ada\nBob")).isPresent();
        assertThat(GuestNames.problem("Ada\tBob")).isPresent();
        assertThat(GuestNames.problem("Ada\u007FBob")).isPresent();
        assertThat(GuestNames.problem("Ada\u0085Bob")).isPresent();
        assertThat(GuestNames.problem("Ada\u2028Bob")).isPresent();
        assertThat(GuestNames.clean("Ada\nBob")).isEmpty();
    }

    @Test
    void refusesBidiOverrides() {
        assertThat(GuestNames.problem("Ada\u202Egnp.exe")).isPresent();
        assertThat(GuestNames.problem("Ada\u2066Bob")).isPresent();
    }

    @Test
    void acceptsLettersOfAnyScriptAndEmoji() {
        assertThat(GuestNames.problem("Zoë")).isEmpty();
        assertThat(GuestNames.problem("李小龍")).isEmpty();
        assertThat(GuestNames.problem("Ada " + GRINNING)).isEmpty();
    }
}
