package dev.randomchat.system;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Checks of configured values, made by the properties records as they are bound: a bad value
 * stops the start with a message naming its environment variable.
 *
 * <p>Written out rather than declared with Bean Validation: the validator and its expression
 * language were about 690 classes of the server's class metadata for some thirty checks
 * (bench/RESULTS.md, "Footprint").
 */
public final class Configured {

    private Configured() {
    }

    public static void atLeast(long value, long min, String variable) {
        if (value < min) {
            throw new IllegalArgumentException(variable + (min == 0 ? " must not be negative" : " must be at least " + min)
                    + ", not " + value);
        }
    }

    public static void within(long value, long min, long max, String variable) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(variable + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    /** Present and longer than zero. */
    public static void positive(Duration value, String variable) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(variable + " must be positive");
        }
    }

    public static void notBlank(String value, String variable) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(variable + " must not be empty");
        }
    }

    /** {@code value} matches {@code pattern} whole; {@code what} says what it must be. */
    public static void matches(String value, Pattern pattern, String variable, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(variable + " must be " + what + ", not '" + value + "'");
        }
    }
}
