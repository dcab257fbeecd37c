package dev.randomchat.protocol;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns client text frames into {@link Inbound} frames. Every rule of the protocol is checked here:
 * types are never coerced, missing fields and unknown types are errors, sizes are bounded.
 */
public final class FrameDecoder {

    private static final Pattern CMID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Letters (with their combining marks) and digits of any script, space and hyphen. */
    private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{M}\\p{Nd} -]+");
    static final int MAX_TAG_CHARS = 24;
    private static final Set<String> REASONS = Set.of("spam", "abuse", "sexual", "minor", "other");
    private static final Set<String> MEDIA_ACTIONS = Set.of("request", "accept", "decline", "hangup");
    private static final Set<String> MEDIA_KINDS = Set.of("audio", "video");
    static final int MAX_INTERESTS = 5;
    static final int MAX_NOTE_CHARS = 500;
    private static final int MAX_TOKEN_CHARS = 4096;
    private static final int MAX_ID_CHARS = 128;

    private final JsonMapper json;
    private final int maxFrameBytes;
    private final int maxTextChars;
    /** {@code signal} frames (SDP, ICE candidates) have a limit of their own. */
    private final int maxSignalBytes;

    public FrameDecoder(JsonMapper json, int maxFrameBytes, int maxTextChars) {
        this(json, maxFrameBytes, maxTextChars, maxFrameBytes);
    }

    public FrameDecoder(JsonMapper json, int maxFrameBytes, int maxTextChars, int maxSignalBytes) {
        this.json = json;
        this.maxFrameBytes = maxFrameBytes;
        this.maxTextChars = maxTextChars;
        this.maxSignalBytes = maxSignalBytes;
    }

    public Inbound decode(String text) {
        int cap = Math.max(maxFrameBytes, maxSignalBytes);
        int bytes = text.length() > cap ? Integer.MAX_VALUE : utf8Length(text);
        if (bytes > cap) {
            throw new FrameException(ErrorCode.TOO_LARGE, "frame is larger than " + cap + " bytes", null);
        }
        JsonNode frame = null;
        try {
            frame = json.readTree(text);
        }
        catch (JacksonException ex) {
            // judged below: too large, or not JSON
        }
        JsonNode type = frame == null || !frame.isObject() ? null : frame.get("type");
        String name = type == null || !type.isString() ? null : type.stringValue();
        int limit = "signal".equals(name) ? maxSignalBytes : maxFrameBytes;
        if (bytes > limit) {
            throw new FrameException(ErrorCode.TOO_LARGE, "frame is larger than " + limit + " bytes",
                    name == null ? null : abbreviate(name));
        }
        if (frame == null) {
            throw FrameException.badRequest("frame is not valid JSON", null);
        }
        if (!frame.isObject()) {
            throw FrameException.badRequest("frame must be a JSON object", null);
        }
        if (name == null) {
            throw FrameException.badRequest("frame needs a string field 'type'", null);
        }
        return switch (name) {
            case "ping" -> new Inbound.Ping();
            case "match" -> new Inbound.Match(interests(frame));
            case "cancel" -> new Inbound.Cancel();
            case "join" -> new Inbound.Join(string(frame, "token", name, MAX_TOKEN_CHARS),
                    optionalCount(frame, "after", name));
            case "send" -> send(frame);
            case "file" -> new Inbound.PostFile(cmid(frame, name), string(frame, "fileId", name, MAX_ID_CHARS));
            case "seen" -> new Inbound.Seen(count(frame, "seq", name));
            case "typing" -> new Inbound.Typing(bool(frame, "active", name));
            case "leave" -> new Inbound.Leave(optionalBool(frame, "block", name));
            case "report" -> report(frame);
            case "media" -> media(frame);
            case "signal" -> signal(frame);
            case "block" -> block(frame);
            default -> throw new FrameException(ErrorCode.UNKNOWN_TYPE, "unknown frame type", abbreviate(name));
        };
    }

    private Inbound.Send send(JsonNode frame) {
        String cmid = cmid(frame, "send");
        String text = string(frame, "text", cmid, Integer.MAX_VALUE);
        if (text.isBlank()) {
            throw FrameException.badRequest("text must not be empty", cmid);
        }
        if (!wellFormed(text)) {
            throw FrameException.badRequest("text must be valid Unicode (no unpaired surrogates)", cmid);
        }
        if (text.codePointCount(0, text.length()) > maxTextChars) {
            throw new FrameException(ErrorCode.TOO_LARGE, "text is longer than " + maxTextChars + " characters", cmid);
        }
        return new Inbound.Send(cmid, text);
    }

    private Inbound.Report report(JsonNode frame) {
        String reason = string(frame, "reason", "report", 16);
        if (!REASONS.contains(reason)) {
            throw FrameException.badRequest("reason must be one of " + REASONS, "report");
        }
        String[] ended = endedChannel(frame, "report");
        JsonNode note = frame.get("note");
        if (note == null || note.isNull()) {
            return new Inbound.Report(reason, "", ended[0], ended[1]);
        }
        if (!note.isString()) {
            throw FrameException.badRequest("note must be a string", "report");
        }
        String text = note.stringValue();
        if (!wellFormed(text)) {
            throw FrameException.badRequest("note must be valid Unicode (no unpaired surrogates)", "report");
        }
        if (text.codePointCount(0, text.length()) > MAX_NOTE_CHARS) {
            throw new FrameException(ErrorCode.TOO_LARGE, "note is longer than " + MAX_NOTE_CHARS + " characters", "report");
        }
        return new Inbound.Report(reason, text, ended[0], ended[1]);
    }

    private static Inbound.Block block(JsonNode frame) {
        String[] named = endedChannel(frame, "block");
        return new Inbound.Block(named[0], named[1]);
    }

    /** The optional {@code channelId} + {@code token} pair naming a channel: both, or neither (nulls). */
    private static String[] endedChannel(JsonNode frame, String ref) {
        JsonNode channelId = frame.get("channelId");
        JsonNode token = frame.get("token");
        boolean hasChannel = channelId != null && !channelId.isNull();
        boolean hasToken = token != null && !token.isNull();
        if (!hasChannel && !hasToken) {
            return new String[2];
        }
        if (hasChannel != hasToken) {
            throw FrameException.badRequest("give both 'channelId' and 'token', or neither", ref);
        }
        return new String[] {string(frame, "channelId", ref, MAX_ID_CHARS), string(frame, "token", ref, MAX_TOKEN_CHARS)};
    }

    private static Inbound.Media media(JsonNode frame) {
        String action = string(frame, "action", "media", 16);
        if (!MEDIA_ACTIONS.contains(action)) {
            throw FrameException.badRequest("action must be one of " + MEDIA_ACTIONS, "media");
        }
        String callId = callId(frame, "media");
        if (!action.equals("request") && !action.equals("accept")) {
            return new Inbound.Media(action, callId, List.of());
        }
        JsonNode field = frame.get("kinds");
        if (field == null || !field.isArray() || field.isEmpty()) {
            throw FrameException.badRequest("kinds must be a non-empty array of \"audio\" and \"video\"", "media");
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (JsonNode item : field.values()) {
            if (!item.isString() || !MEDIA_KINDS.contains(item.stringValue())) {
                throw FrameException.badRequest("kinds must be a non-empty array of \"audio\" and \"video\"", "media");
            }
            kinds.add(item.stringValue());
        }
        return new Inbound.Media(action, callId, List.copyOf(kinds));
    }

    private Inbound.Signal signal(JsonNode frame) {
        String callId = callId(frame, "signal");
        JsonNode data = frame.get("data");
        if (data == null || !data.isObject()) {
            throw FrameException.badRequest("data must be a JSON object", "signal");
        }
        return new Inbound.Signal(callId, json.writeValueAsString(data));
    }

    private static String callId(JsonNode frame, String type) {
        String callId = string(frame, "callId", type, Integer.MAX_VALUE);
        if (!CMID.matcher(callId).matches()) {
            throw FrameException.badRequest("callId must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'", type);
        }
        return callId;
    }

    private static List<String> interests(JsonNode frame) {
        JsonNode field = frame.get("interests");
        if (field == null || field.isNull()) {
            return List.of();
        }
        if (!field.isArray()) {
            throw FrameException.badRequest("interests must be an array of strings", "match");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode item : field.values()) {
            if (!item.isString()) {
                throw FrameException.badRequest("interests must be an array of strings", "match");
            }
            String tag = normalTag(item.stringValue());
            if (tag == null) {
                throw FrameException.badRequest("each interest is 1-" + MAX_TAG_CHARS
                        + " letters or digits of any script, spaces and '-'", "match");
            }
            tags.add(tag);
        }
        if (tags.size() > MAX_INTERESTS) {
            throw FrameException.badRequest("at most " + MAX_INTERESTS + " interests", "match");
        }
        return new ArrayList<>(tags);
    }

    /**
     * An interest as it is matched: NFKC-normalised (so compatibility forms such as full-width
     * digits become the plain ones), lower-cased without regard to locale, normalised again (a
     * lower-cased letter may decompose) and trimmed; null when it is not a valid tag.
     */
    static String normalTag(String raw) {
        if (raw.length() > 4 * MAX_TAG_CHARS || !wellFormed(raw)) {
            return null;
        }
        String folded = Normalizer.normalize(Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT),
                Normalizer.Form.NFKC).strip();
        int length = folded.codePointCount(0, folded.length());
        return length >= 1 && length <= MAX_TAG_CHARS && TAG.matcher(folded).matches() ? folded : null;
    }

    private static String cmid(JsonNode frame, String type) {
        String cmid = string(frame, "cmid", type, Integer.MAX_VALUE);
        if (!CMID.matcher(cmid).matches()) {
            throw FrameException.badRequest("cmid must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'", type);
        }
        return cmid;
    }

    private static String string(JsonNode frame, String field, String ref, int maxChars) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            throw FrameException.badRequest("missing field '" + field + "'", ref);
        }
        if (!node.isString()) {
            throw FrameException.badRequest("'" + field + "' must be a string", ref);
        }
        String value = node.stringValue();
        if (value.length() > maxChars) {
            throw new FrameException(ErrorCode.TOO_LARGE, "'" + field + "' is too long", ref);
        }
        return value;
    }

    private static long count(JsonNode frame, String field, String ref) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            throw FrameException.badRequest("missing field '" + field + "'", ref);
        }
        return nonNegative(node, field, ref);
    }

    private static long optionalCount(JsonNode frame, String field, String ref) {
        JsonNode node = frame.get(field);
        return node == null || node.isNull() ? 0 : nonNegative(node, field, ref);
    }

    private static long nonNegative(JsonNode node, String field, String ref) {
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw FrameException.badRequest("'" + field + "' must be a non-negative integer", ref);
        }
        return node.longValue();
    }

    private static boolean bool(JsonNode frame, String field, String ref) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            throw FrameException.badRequest("missing field '" + field + "'", ref);
        }
        if (!node.isBoolean()) {
            throw FrameException.badRequest("'" + field + "' must be true or false", ref);
        }
        return node.booleanValue();
    }

    private static boolean optionalBool(JsonNode frame, String field, String ref) {
        JsonNode node = frame.get(field);
        return node != null && !node.isNull() && bool(frame, field, ref);
    }

    /** The UTF-8 size of {@code text}, counted without encoding it (an unpaired surrogate counts 3). */
    static int utf8Length(String text) {
        int bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                }
                else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                }
                else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    private static boolean wellFormed(String text) {
        return text.codePoints().noneMatch(cp -> Character.getType(cp) == Character.SURROGATE);
    }

    private static String abbreviate(String value) {
        return value.length() <= 32 ? value : value.substring(0, 32);
    }
}
