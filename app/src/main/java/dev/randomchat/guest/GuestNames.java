package dev.randomchat.guest;

import java.util.Optional;

/** The rules for a display name: 1 to 24 code points after trimming, no control characters. */
final class GuestNames {

    static final int MAX_CODE_POINTS = 24;

    private GuestNames() {
    }

    /** The trimmed name, or empty with nothing when it breaks a rule; see {@link #problem}. */
    static Optional<String> clean(String raw) {
        return problem(raw).isPresent() ? Optional.empty() : Optional.of(raw.strip());
    }

    static Optional<String> problem(String raw) {
        if (raw == null) {
            return Optional.of("name is required");
        }
        String name = raw.strip();
        int length = name.codePointCount(0, name.length());
        if (length == 0) {
            return Optional.of("name must not be empty");
        }
        if (length > MAX_CODE_POINTS) {
            return Optional.of("name must be at most " + MAX_CODE_POINTS + " characters");
        }
        if (name.codePoints().anyMatch(cp -> Character.getType(cp) == Character.SURROGATE)) {
            return Optional.of("name must be valid Unicode text (no unpaired surrogates)");
        }
        if (name.codePoints().anyMatch(GuestNames::isControl)) {
            return Optional.of("name must not contain control characters");
        }
        return Optional.empty();
    }

    private static boolean isControl(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || (codePoint >= 0x202A && codePoint <= 0x202E)
                || (codePoint >= 0x2066 && codePoint <= 0x2069);
    }
}
