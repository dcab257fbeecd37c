package dev.randomchat.hardening;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.support.WsClient;

/**
 * A seeded generator of hostile websocket frames for a socket in an open channel, each with the
 * answer the protocol allows: {@link Answer#ERROR} exactly one {@code error} (of a given code when
 * known), {@link Answer#ANY} the replies of a valid frame or one {@code error}. It never produces a
 * frame that would end the channel ({@code leave}, {@code report}), so chat stays meaningful.
 */
final class HostileFrames {

    enum Answer {
        ERROR, ANY
    }

    /** One frame to send: text, or binary when {@code binary} is set. */
    record Frame(String label, String text, byte[] binary, Answer answer, String code) {

        void sendTo(WsClient socket) {
            if (binary != null) {
                socket.sendBinary(binary);
            }
            else {
                socket.sendMalformed(text);
            }
        }

        @Override
        public String toString() {
            String shown = binary != null ? binary.length + " binary bytes"
                    : text.length() > 120 ? text.substring(0, 120) + "... (" + text.length() + " chars)" : text;
            return label + ": " + shown;
        }
    }

    /** Client frame types of the protocol. */
    static final Set<String> TYPES = Set.of("match", "cancel", "join", "send", "file", "seen", "typing", "leave",
            "report", "ping");
    /** Types whose valid frames end the channel: sent only in forms that are certainly invalid. */
    private static final Set<String> ENDING = Set.of("leave", "report");
    private static final List<String> SAFE_TYPES = List.of("match", "cancel", "join", "send", "file", "seen",
            "typing", "ping");
    private static final String BAD_REQUEST = "bad_request";
    private static final String TOO_LARGE = "too_large";
    private static final String UNKNOWN_TYPE = "unknown_type";
    private static final String DIGITS_400 = "9".repeat(400);
    /** Characters that matter to a JSON parser. */
    private static final String JSON_CHARS = "{}[]\":,\\ ntfu0123456789-.eE";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Random random;
    private final int maxFrameBytes;
    private final int maxTextChars;
    private int serial;
    private List<Frame> wrongFields;

    HostileFrames(long seed, int maxFrameBytes, int maxTextChars) {
        this.random = new Random(seed);
        this.maxFrameBytes = maxFrameBytes;
        this.maxTextChars = maxTextChars;
    }

    /** The fixed corpus first, then seeded random frames up to {@code count} in all. */
    List<Frame> generate(int count) {
        List<Frame> frames = new ArrayList<>(corpus());
        while (frames.size() < count) {
            frames.add(randomFrame());
        }
        return frames;
    }

    // ---- the fixed corpus ----------------------------------------------------------------------

    private List<Frame> corpus() {
        List<Frame> frames = new ArrayList<>();
        for (String odd : List.of("", " ", "\n", "null", "true", "false", "0", "-0", "1e400", DIGITS_400, "\"ping\"",
                "[]", "[{\"type\":\"ping\"}]", "{}", "{\"type\":null}", "{\"type\":42}", "{\"type\":[\"ping\"]}",
                "{\"type\":{\"ping\":1}}", "{\"type\":true}", "{\"TYPE\":\"ping\"}", "{'type':'ping'}",
                "{type:ping}", "{\"type\":\"ping\"", "{\"type\":\"ping\"}}", "{\"type\":\"seen\",\"seq\":NaN}",
                "{\"type\":\"seen\",\"seq\":Infinity}", "{\"type\":\"seen\",\"seq\":-Infinity}",
                "{\"type\":\"seen\",\"seq\":0x10}", "{\"type\":\"seen\",\"seq\":01}", "{\"type\":\"seen\",\"seq\":+1}",
                "{\"type\":\"ping\",\"x\":undefined}", "{\"type\":'ping'}", "{\"type\":\"ping\"\u0000}")) {
            frames.add(judged("odd", odd));
        }
        for (String lenient : List.of("\uFEFF{\"type\":\"ping\"}", "{\"type\":\"ping\"} ", "{\"type\":\"ping\"}garbage",
                "{\"type\":\"ping\"}{\"type\":\"ping\"}", "/* c */{\"type\":\"ping\"}", "{\"type\":\"ping\",}",
                "{\"type\":\"ping\"}\u0000")) {
            frames.add(new Frame("lenient parse", lenient, null, Answer.ANY, null));
        }
        for (String unknown : List.of("", "dance", "PING", "Ping", "ping ", " ping", "ping\u0000", "\u0000", "\u202eping",
                "__proto__", "constructor", "hello", "pong", "error", "message", "ack", "matched", "joined", "ended",
                "presence", "x".repeat(10_000))) {
            frames.add(new Frame("unknown type", frame("type", unknown), null, Answer.ERROR, UNKNOWN_TYPE));
        }
        frames.add(new Frame("lone surrogate type", "{\"type\":\"\\ud800\"}", null, Answer.ERROR, UNKNOWN_TYPE));
        frames.addAll(wrongFieldValues());
        frames.addAll(nesting());
        frames.addAll(numbers());
        frames.addAll(oversized());
        frames.addAll(oddButValid());
        frames.addAll(binaries());
        return frames;
    }

    /** Every field of every frame type, given values of every wrong JSON type, and strings out of range. */
    private List<Frame> wrongFieldValues() {
        List<Object> notString = List.of(42, -1, 1.5, true, false, List.of(), List.of("x"), Map.of(), Map.of("a", "b"));
        List<Object> notCount = new ArrayList<>(List.of("5", "abc", "", 1.5, -1, -0.5, true, false, List.of(),
                List.of(1), Map.of(), Map.of("n", 1)));
        List<Object> notBool = List.of("true", "false", "yes", 1, 0, List.of(), List.of(true), Map.of());
        List<Object> notTags = List.of("music", 42, true, Map.of(), Map.of("0", "music"), List.of(42),
                java.util.Arrays.asList((Object) null), List.of(true), List.of(List.of()), List.of(Map.of()),
                List.of("ok", 1), List.of(""), List.of("   "), List.of("a!"), List.of("x".repeat(25)),
                List.of("a", "b", "c", "d", "e", "f"));
        List<Frame> frames = new ArrayList<>();
        // Required fields also refuse null; optional ones take null as absent, so it is not wrong there.
        wrong(frames, "match", "interests", notTags, false, BAD_REQUEST);
        wrong(frames, "join", "token", notString, true, BAD_REQUEST);
        wrong(frames, "join", "after", notCount, false, BAD_REQUEST);
        wrong(frames, "send", "cmid", notString, true, BAD_REQUEST);
        wrong(frames, "send", "cmid", List.of("", "has space", "x".repeat(65), "\u00fc", "a/b", "<b>", "a\u0000"), false,
                BAD_REQUEST);
        wrong(frames, "send", "text", notString, true, BAD_REQUEST);
        wrong(frames, "send", "text", List.of("", "   ", "\t\n\r"), false, BAD_REQUEST);
        wrong(frames, "send", "text", List.of("x".repeat(maxTextChars + 1), "\uD83D\uDE00".repeat(maxTextChars + 1)), false,
                TOO_LARGE);
        wrong(frames, "file", "cmid", notString, true, BAD_REQUEST);
        wrong(frames, "file", "fileId", notString, true, BAD_REQUEST);
        wrong(frames, "file", "fileId", List.of("x".repeat(129)), false, TOO_LARGE);
        wrong(frames, "join", "token", List.of("x".repeat(4097)), false, TOO_LARGE);
        wrong(frames, "seen", "seq", notCount, true, BAD_REQUEST);
        wrong(frames, "typing", "active", notBool, true, BAD_REQUEST);
        wrong(frames, "leave", "block", notBool, false, BAD_REQUEST);
        wrong(frames, "report", "reason", notString, true, BAD_REQUEST);
        wrong(frames, "report", "reason", List.of("", "SPAM", "spam ", "nope", "x".repeat(17)), false, null);
        wrong(frames, "report", "note", notString, false, BAD_REQUEST);
        wrong(frames, "report", "note", List.of("x".repeat(501)), false, TOO_LARGE);
        for (String type : List.of("join", "send", "file", "seen", "typing", "report")) {
            frames.add(new Frame("missing fields", frame("type", type), null, Answer.ERROR, BAD_REQUEST));
        }
        for (String token : List.of("not-a-token", "eyJ.eyJ.sig", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "...",
                "a.b.c.d.e")) {
            frames.add(new Frame("forged channel token", frame("type", "join", "token", token), null, Answer.ERROR,
                    "invalid_token"));
        }
        frames.add(new Frame("unknown file", frame("type", "file", "cmid", "f1", "fileId", "no-such-file"), null,
                Answer.ERROR, "unknown_file"));
        return frames;
    }

    private void wrong(List<Frame> frames, String type, String field, List<Object> values, boolean nullToo, String code) {
        List<Object> all = new ArrayList<>(values);
        if (nullToo) {
            all.add(null);
        }
        for (Object value : all) {
            Map<String, Object> frame = validFrame(type);
            frame.put(field, value);
            frames.add(new Frame("wrong " + type + "." + field, JSON.writeValueAsString(frame), null, Answer.ERROR, code));
        }
    }

    private List<Frame> nesting() {
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame("10,000 nested arrays", nested("[", "]", 10_000, ""), null, Answer.ERROR, BAD_REQUEST));
        // Five bytes a level: over the frame limit, so refused before parsing.
        frames.add(new Frame("10,000 nested objects", nested("{\"a\":", "}", 10_000, "1"), null, Answer.ERROR,
                TOO_LARGE));
        frames.add(new Frame("arrays nested just under the frame limit",
                nested("[", "]", maxFrameBytes / 2 - 1, ""), null, Answer.ERROR, BAD_REQUEST));
        frames.add(new Frame("objects nested just under the frame limit",
                nested("{\"a\":", "}", (maxFrameBytes - 1) / 6, "1"), null, Answer.ERROR, BAD_REQUEST));
        frames.add(new Frame("unclosed nesting just under the frame limit", "[".repeat(maxFrameBytes - 1), null,
                Answer.ERROR, BAD_REQUEST));
        frames.add(new Frame("deep field of a ping",
                "{\"type\":\"ping\",\"x\":" + nested("[", "]", 10_000, "") + "}", null, Answer.ANY, null));
        frames.add(new Frame("deep field of a send",
                "{\"type\":\"send\",\"cmid\":\"deep\",\"text\":\"deep\",\"x\":" + nested("{\"a\":", "}", 5_000, "1") + "}",
                null, Answer.ANY, null));
        frames.add(new Frame("deep interests", "{\"type\":\"match\",\"interests\":" + nested("[", "]", 10_000, "") + "}",
                null, Answer.ERROR, BAD_REQUEST));
        return frames;
    }

    private List<Frame> numbers() {
        List<Frame> frames = new ArrayList<>();
        for (String number : List.of("1e400", "-1e400", "1e-400", DIGITS_400, "-" + DIGITS_400, "9".repeat(2_000),
                "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e2", "1.0", "0.0000001")) {
            frames.add(new Frame("huge seq " + abbreviate(number), "{\"type\":\"seen\",\"seq\":" + number + "}", null,
                    Answer.ERROR, null));
            frames.add(new Frame("huge after " + abbreviate(number),
                    "{\"type\":\"join\",\"token\":\"t\",\"after\":" + number + "}", null, Answer.ERROR, null));
            frames.add(new Frame("huge extra " + abbreviate(number), "{\"type\":\"ping\",\"n\":" + number + "}", null,
                    Answer.ANY, null));
        }
        frames.add(new Frame("largest long seq", "{\"type\":\"seen\",\"seq\":9223372036854775807}", null, Answer.ERROR,
                BAD_REQUEST));
        return frames;
    }

    private List<Frame> oversized() {
        List<Frame> frames = new ArrayList<>();
        String ping = "{\"type\":\"ping\",\"pad\":\"\"}";
        frames.add(new Frame("frame at the limit", padded(ping, maxFrameBytes, "x"), null, Answer.ANY, null));
        frames.add(new Frame("frame a byte over the limit", padded(ping, maxFrameBytes + 1, "x"), null, Answer.ERROR,
                TOO_LARGE));
        // Fewer characters than the limit, more bytes: the limit counts UTF-8 bytes.
        frames.add(new Frame("multi-byte frame over the limit", padded(ping, maxFrameBytes + 3, "\u20ac"), null,
                Answer.ERROR, TOO_LARGE));
        frames.add(new Frame("frame of 60 KiB", padded(ping, 60 * 1024, "x"), null, Answer.ERROR, TOO_LARGE));
        frames.add(new Frame("send of 60 KiB", frame("type", "send", "cmid", "big", "text", "x".repeat(60 * 1024)), null,
                Answer.ERROR, TOO_LARGE));
        frames.add(new Frame("text at the limit", frame("type", "send", "cmid", "max", "text", "y".repeat(maxTextChars)),
                null, Answer.ANY, null));
        return frames;
    }

    /** Valid frames in odd clothes: unknown fields, duplicated keys, escapes, markup. */
    private List<Frame> oddButValid() {
        List<Frame> frames = new ArrayList<>();
        for (String text : List.of(
                "{\"type\":\"ping\",\"__proto__\":{\"admin\":true},\"constructor\":{\"prototype\":{}}}",
                "{\"type\":\"cancel\",\"type2\":\"leave\",\"leave\":true}",
                "{\"type\":\"typing\",\"active\":true,\"from\":\"someone-else\"}",
                "{\"type\":\"seen\",\"seq\":0,\"by\":\"someone-else\"}",
                "{\"type\":\"match\",\"interests\":[],\"extra\":[1,2,3]}",
                "{\"type\":\"send\",\"cmid\":\"odd1\",\"text\":\"hi\",\"from\":\"someone-else\",\"seq\":1}",
                "{\"type\":\"ping\",\"type\":\"dance\"}",
                "{\"type\":\"dance\",\"type\":\"ping\"}",
                "{\"type\":\"send\",\"cmid\":\"dup1\",\"cmid\":\"dup2\",\"text\":\"duplicated keys\"}",
                "{\"type\":\"typing\",\"active\":true,\"active\":\"yes\"}",
                "{\"type\":\"send\",\"cmid\":\"sur1\",\"text\":\"\\ud800\"}",
                "{\"type\":\"send\",\"cmid\":\"sur2\",\"text\":\"a\\udc00b\\ud83d\"}",
                "{\"type\":\"ping\",\"x\":\"\\udfff\"}",
                "{\"type\":\"send\",\"cmid\":\"nul\",\"text\":\"a\\u0000b\"}",
                "{\"type\":\"send\",\"cmid\":\"seps\",\"text\":\"\\u2028\\u2029\\u0085\"}",
                "{\"type\":\"send\",\"cmid\":\"html\",\"text\":\"<script>alert(1)</script>\\\"},{\\\"type\\\":\\\"x\"}",
                "{\"type\":\"send\",\"cmid\":\"pipes\",\"text\":\"m|1|guest|{}\"}",
                "{\"type\":\"send\",\"cmid\":\"lua\",\"text\":\"]] .. redis.call('FLUSHALL') .. [[\"}",
                "{\"type\":\"file\",\"cmid\":\"f2\",\"fileId\":\"../../etc/passwd\"}",
                "{\"type\":\"file\",\"cmid\":\"f3\",\"fileId\":\"*\"}",
                "{\"type\":\"join\",\"token\":\"\",\"after\":0}")) {
            frames.add(new Frame("odd but valid", text, null, Answer.ANY, null));
        }
        return frames;
    }

    private List<Frame> binaries() {
        List<Frame> frames = new ArrayList<>();
        List<byte[]> payloads = List.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xC3, 0x28},
                new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80,
                        (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8),
                "{\"type\":\"send\",\"cmid\":\"b\",\"text\":\"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] payload : payloads) {
            frames.add(new Frame("binary", null, payload, Answer.ERROR, BAD_REQUEST));
        }
        return frames;
    }

    // ---- seeded random frames ------------------------------------------------------------------

    private Frame randomFrame() {
        int kind = random.nextInt(100);
        if (kind < 15) {
            return judged("random text", noise(random.nextInt(300)));
        }
        if (kind < 25) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            return new Frame("random bytes", null, bytes, Answer.ERROR, BAD_REQUEST);
        }
        if (kind < 30) {
            return new Frame("invalid UTF-8", null, invalidUtf8(), Answer.ERROR, BAD_REQUEST);
        }
        if (kind < 55) {
            return safeOr(judged("mutated frame", mutate(JSON.writeValueAsString(validFrame(pick(SAFE_TYPES))))));
        }
        if (kind < 75) {
            return safeOr(judged("random object", JSON.writeValueAsString(randomObject())));
        }
        if (kind < 90) {
            return randomWrongField();
        }
        Map<String, Object> frame = validFrame(pick(SAFE_TYPES));
        for (int i = random.nextInt(4); i >= 0; i--) {
            frame.put(randomKey(), randomValue(2));
        }
        return safeOr(judged("valid with unknown fields", JSON.writeValueAsString(frame)));
    }

    private Frame randomWrongField() {
        if (wrongFields == null) {
            wrongFields = wrongFieldValues();
        }
        return wrongFields.get(random.nextInt(wrongFields.size()));
    }

    /** A random frame that could end the channel is replaced by a harmless one. */
    private Frame safeOr(Frame frame) {
        if (frame.answer() == Answer.ANY && ENDING.contains(typeOf(frame.text()))) {
            return new Frame("replaced", "{\"type\":\"ping\"}", null, Answer.ANY, null);
        }
        return frame;
    }

    /** What the protocol lets the server answer to this text, judged as the server's decoder would. */
    private Frame judged(String label, String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes) {
            return new Frame(label, text, null, Answer.ERROR, TOO_LARGE);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        }
        catch (JacksonException ex) {
            return new Frame(label, text, null, Answer.ERROR, BAD_REQUEST);
        }
        if (node == null || !node.isObject() || !node.path("type").isString()) {
            return new Frame(label, text, null, Answer.ERROR, BAD_REQUEST);
        }
        if (!TYPES.contains(node.path("type").asString())) {
            return new Frame(label, text, null, Answer.ERROR, UNKNOWN_TYPE);
        }
        return new Frame(label, text, null, Answer.ANY, null);
    }

    private static String typeOf(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.path("type").isString() ? node.path("type").asString() : "";
        }
        catch (JacksonException ex) {
            return "";
        }
    }

    private Map<String, Object> validFrame(String type) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", type);
        switch (type) {
            case "match" -> frame.put("interests", List.of("music"));
            case "join" -> {
                frame.put("token", "t" + serial++);
                frame.put("after", 0);
            }
            case "send" -> {
                frame.put("cmid", "c" + serial++);
                frame.put("text", "fuzz " + serial);
            }
            case "file" -> {
                frame.put("cmid", "f" + serial++);
                frame.put("fileId", "no-such-file");
            }
            case "seen" -> frame.put("seq", 1);
            case "typing" -> frame.put("active", random.nextBoolean());
            case "leave" -> frame.put("block", false);
            case "report" -> {
                frame.put("reason", "spam");
                frame.put("note", "n");
            }
            default -> {
            }
        }
        return frame;
    }

    private Map<String, Object> randomObject() {
        Map<String, Object> object = new LinkedHashMap<>();
        int choice = random.nextInt(10);
        if (choice < 6) {
            object.put("type", pick(SAFE_TYPES));
        }
        else if (choice < 8) {
            object.put("type", randomValue(1));
        }
        for (int i = random.nextInt(5); i >= 0; i--) {
            String key = random.nextInt(3) == 0 ? randomKey()
                    : pick(List.of("cmid", "text", "token", "after", "seq", "active", "fileId", "interests", "block"));
            object.put(key, randomValue(3));
        }
        return object;
    }

    private Object randomValue(int depth) {
        int choice = random.nextInt(depth > 0 ? 12 : 8);
        return switch (choice) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            case 5 -> noise(random.nextInt(40));
            case 6 -> "c" + random.nextInt(1000);
            case 7 -> new java.math.BigInteger(random.nextInt(600) + 1, random);
            case 8, 9 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(randomValue(depth - 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(randomKey(), randomValue(depth - 1));
                }
                yield map;
            }
        };
    }

    private String randomKey() {
        return random.nextInt(4) == 0 ? noise(1 + random.nextInt(12)) : "k" + random.nextInt(50);
    }

    /** Random text of code points from every plane (no lone surrogates: those are not text). */
    private String noise(int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int pool = random.nextInt(6);
            int codePoint = switch (pool) {
                case 0 -> random.nextInt(0x20);
                case 1, 2 -> 0x20 + random.nextInt(0x5F);
                case 3 -> JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
                case 4 -> 0xA0 + random.nextInt(0xD800 - 0xA0);
                default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
            };
            text.appendCodePoint(codePoint);
        }
        return text.toString();
    }

    private byte[] invalidUtf8() {
        byte[][] bad = {{(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF},
                {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
                {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF}, {(byte) 0xC3}};
        byte[] prefix = "{\"type\":\"send\",\"cmid\":\"u\",\"text\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] middle = bad[random.nextInt(bad.length)];
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + middle.length + suffix.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(middle, 0, all, prefix.length, middle.length);
        System.arraycopy(suffix, 0, all, prefix.length + middle.length, suffix.length);
        return all;
    }

    private String mutate(String text) {
        StringBuilder mutated = new StringBuilder(text);
        for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
            int at = mutated.length() == 0 ? 0 : random.nextInt(mutated.length());
            switch (random.nextInt(5)) {
                case 0 -> mutated.insert(at, noise(1));
                case 1 -> {
                    if (mutated.length() > 0) {
                        mutated.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (mutated.length() > 0) {
                        mutated.setCharAt(at, JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length())));
                    }
                }
                case 3 -> mutated.insert(at, mutated.substring(at, Math.min(mutated.length(), at + random.nextInt(10))));
                default -> mutated.insert(at, pick(List.of("null", "1e400", "[", "]", "{", "}", ",", "\"\"", "-",
                        "\\u0000", "\\ud800", DIGITS_400)));
            }
        }
        // An edit may split a surrogate pair; that is not text the client could send.
        return mutated.codePoints()
                .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String frame(Object... keysAndValues) {
        Map<String, Object> frame = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            frame.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return JSON.writeValueAsString(frame);
    }

    private static String nested(String open, String close, int depth, String core) {
        return open.repeat(depth) + core + close.repeat(depth);
    }

    /** {@code json} ending in {@code ""}} with its last string padded to exactly {@code bytes} UTF-8 bytes. */
    private static String padded(String json, int bytes, String unit) {
        int base = json.getBytes(StandardCharsets.UTF_8).length;
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        int units = (bytes - base) / unitBytes;
        String pad = unit.repeat(units) + "x".repeat(bytes - base - units * unitBytes);
        return json.substring(0, json.length() - 2) + pad + "\"}";
    }

    private static String abbreviate(String value) {
        return value.length() <= 24 ? value : value.substring(0, 12) + "...(" + value.length() + ")";
    }
}
