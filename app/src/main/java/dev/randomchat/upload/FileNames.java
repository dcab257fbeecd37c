package dev.randomchat.upload;

/**
 * The display name of an upload: shown to the peer and offered when saving, never used to name
 * anything in storage. What a client sends is cut to its last path segment, stripped of control
 * characters, line separators, invisible direction overrides (which make {@code exe.png} look like
 * {@code gnp.exe}) and lone surrogates, trimmed, and held to {@value #MAX_CODE_POINTS} code points.
 */
final class FileNames {

    static final String DEFAULT = "file";
    static final int MAX_CODE_POINTS = 200;

    private FileNames() {
    }

    static String clean(String raw) {
        if (raw == null) {
            return DEFAULT;
        }
        String name = lastSegment(raw);
        StringBuilder kept = new StringBuilder(name.length());
        name.codePoints()
                .filter(cp -> !unwanted(cp))
                .forEach(kept::appendCodePoint);
        name = kept.toString().strip();
        if (name.codePointCount(0, name.length()) > MAX_CODE_POINTS) {
            name = name.substring(0, name.offsetByCodePoints(0, MAX_CODE_POINTS)).strip();
        }
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return DEFAULT;
        }
        return name;
    }

    private static String lastSegment(String name) {
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(cut + 1);
    }

    private static boolean unwanted(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp)
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE
                || bidiControl(cp)
                || cp == 0xFEFF;
    }

    /** ALM, LRM, RLM, the embeddings and overrides (LRE..RLO), the isolates (LRI..PDI). */
    private static boolean bidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F
                || cp >= 0x202A && cp <= 0x202E
                || cp >= 0x2066 && cp <= 0x2069;
    }
}
