package dev.randomchat.system;

/**
 * JSON string literals for frames built by hand on the hot path (each chat message is one), where
 * a Jackson generator per field would cost more than the message itself.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** {@code value} as a quoted JSON string: quote, backslash and control characters escaped. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        appendQuoted(out, value);
        return out.toString();
    }

    public static StringBuilder appendQuoted(StringBuilder out, String value) {
        out.append('"');
        int plainFrom = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, plainFrom, i);
            plainFrom = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.append(value, plainFrom, value.length()).append('"');
    }
}
