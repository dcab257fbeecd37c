package dev.randomchat.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FrameDecoderTests {

    private static final int MAX_FRAME_BYTES = 512;
    private static final int MAX_TEXT_CHARS = 20;
    /** One code point, two Java chars, four UTF-8 bytes. */
    private static final String GRINNING = "\uD83D\uDE00";

    private final FrameDecoder decoder = new FrameDecoder(JsonMapper.builder().build(), MAX_FRAME_BYTES, MAX_TEXT_CHARS);

    @Test
    void decodesEveryFrameType() {
        assertThat(decoder.decode("{\"type\":\"ping\"}")).isEqualTo(new Inbound.Ping());
        assertThat(decoder.decode("{\"type\":\"match\"}")).isEqualTo(new Inbound.Match(List.of()));
        assertThat(decoder.decode("{\"type\":\"cancel\"}")).isEqualTo(new Inbound.Cancel());
        assertThat(decoder.decode("{\"type\":\"join\",\"token\":\"t\",\"after\":7}")).isEqualTo(new Inbound.Join("t", 7));
        assertThat(decoder.decode("{\"type\":\"send\",\"cmid\":\"c-1_A\",\"text\":\"hi\"}"))
                .isEqualTo(new Inbound.Send("c-1_A", "hi"));
        assertThat(decoder.decode("{\"type\":\"file\",\"cmid\":\"c2\",\"fileId\":\"f1\"}"))
                .isEqualTo(new Inbound.PostFile("c2", "f1"));
        assertThat(decoder.decode("{\"type\":\"seen\",\"seq\":3}")).isEqualTo(new Inbound.Seen(3));
        assertThat(decoder.decode("{\"type\":\"typing\",\"active\":true}")).isEqualTo(new Inbound.Typing(true));
        assertThat(decoder.decode("{\"type\":\"typing\",\"active\":false}")).isEqualTo(new Inbound.Typing(false));
        assertThat(decoder.decode("{\"type\":\"leave\"}")).isEqualTo(new Inbound.Leave(false));
        assertThat(decoder.decode("{\"type\":\"leave\",\"block\":true}")).isEqualTo(new Inbound.Leave(true));
        assertThat(decoder.decode("{\"type\":\"report\",\"reason\":\"spam\"}")).isEqualTo(new Inbound.Report("spam", ""));
        assertThat(decoder.decode("{\"type\":\"report\",\"reason\":\"other\",\"note\":\"rude\"}"))
                .isEqualTo(new Inbound.Report("other", "rude"));
    }

    @Test
    void joinAfterDefaultsToZero() {
        assertThat(decoder.decode("{\"type\":\"join\",\"token\":\"t\"}")).isEqualTo(new Inbound.Join("t", 0));
        assertThat(decoder.decode("{\"type\":\"join\",\"token\":\"t\",\"after\":null}")).isEqualTo(new Inbound.Join("t", 0));
    }

    @Test
    void ignoresUnknownFields() {
        assertThat(decoder.decode("{\"type\":\"ping\",\"extra\":{\"a\":1}}")).isEqualTo(new Inbound.Ping());
    }

    @Test
    void refusesMissingFields() {
        assertError("{\"type\":\"join\"}", ErrorCode.BAD_REQUEST, "join");
        assertError("{\"type\":\"send\",\"text\":\"hi\"}", ErrorCode.BAD_REQUEST, "send");
        assertError("{\"type\":\"send\",\"cmid\":\"c1\"}", ErrorCode.BAD_REQUEST, "c1");
        assertError("{\"type\":\"send\",\"cmid\":\"c1\",\"text\":null}", ErrorCode.BAD_REQUEST, "c1");
        assertError("{\"type\":\"file\",\"cmid\":\"c1\"}", ErrorCode.BAD_REQUEST, null);
        assertError("{\"type\":\"seen\"}", ErrorCode.BAD_REQUEST, "seen");
        assertError("{\"type\":\"typing\"}", ErrorCode.BAD_REQUEST, "typing");
        assertError("{\"type\":\"report\"}", ErrorCode.BAD_REQUEST, "report");
    }

    @Test
    void refusesMissingOrNonStringType() {
        assertError("{}", ErrorCode.BAD_REQUEST, null);
        assertError("{\"type\":null}", ErrorCode.BAD_REQUEST, null);
        assertError("{\"type\":42}", ErrorCode.BAD_REQUEST, null);
        assertError("{\"type\":[\"ping\"]}", ErrorCode.BAD_REQUEST, null);
    }

    @Test
    void neverCoercesJsonTypes() {
        assertError("{\"type\":\"send\",\"cmid\":\"c1\",\"text\":42}", ErrorCode.BAD_REQUEST, "c1");
        assertError("{\"type\":\"send\",\"cmid\":\"c1\",\"text\":[\"hi\"]}", ErrorCode.BAD_REQUEST, "c1");
        assertError("{\"type\":\"send\",\"cmid\":7,\"text\":\"hi\"}", ErrorCode.BAD_REQUEST, "send");
        assertError("{\"type\":\"join\",\"token\":\"t\",\"after\":\"5\"}", ErrorCode.BAD_REQUEST, "join");
        assertError("{\"type\":\"join\",\"token\":\"t\",\"after\":5.5}", ErrorCode.BAD_REQUEST, "join");
        assertError("{\"type\":\"join\",\"token\":true}", ErrorCode.BAD_REQUEST, "join");
        assertError("{\"type\":\"seen\",\"seq\":\"3\"}", ErrorCode.BAD_REQUEST, "seen");
        assertError("{\"type\":\"seen\",\"seq\":3.0}", ErrorCode.BAD_REQUEST, "seen");
        assertError("{\"type\":\"seen\",\"seq\":99999999999999999999999}", ErrorCode.BAD_REQUEST, "seen");
        assertError("{\"type\":\"typing\",\"active\":\"yes\"}", ErrorCode.BAD_REQUEST, "typing");
        assertError("{\"type\":\"typing\",\"active\":1}", ErrorCode.BAD_REQUEST, "typing");
        assertError("{\"type\":\"leave\",\"block\":\"true\"}", ErrorCode.BAD_REQUEST, "leave");
        assertError("{\"type\":\"report\",\"reason\":\"spam\",\"note\":5}", ErrorCode.BAD_REQUEST, "report");
    }

    @Test
    void refusesNegativeNumbers() {
        assertError("{\"type\":\"join\",\"token\":\"t\",\"after\":-1}", ErrorCode.BAD_REQUEST, "join");
        assertError("{\"type\":\"seen\",\"seq\":-3}", ErrorCode.BAD_REQUEST, "seen");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "dot.ted", "sl/ash", "ümlaut", "emoji\uD83D\uDE00"})
    void refusesBadCmid(String cmid) {
        String frame = "{\"type\":\"send\",\"cmid\":\"" + cmid + "\",\"text\":\"hi\"}";

        assertError(frame, ErrorCode.BAD_REQUEST, "send");
    }

    @Test
    void acceptsCmidOfSixtyFourCharactersButNotSixtyFive() {
        String longest = "a".repeat(64);

        assertThat(decoder.decode("{\"type\":\"send\",\"cmid\":\"" + longest + "\",\"text\":\"hi\"}"))
                .isEqualTo(new Inbound.Send(longest, "hi"));
        assertError("{\"type\":\"send\",\"cmid\":\"" + "a".repeat(65) + "\",\"text\":\"hi\"}", ErrorCode.BAD_REQUEST, "send");
    }

    @Test
    void refusesUnknownTypeNamingIt() {
        assertError("{\"type\":\"dance\"}", ErrorCode.UNKNOWN_TYPE, "dance");
        assertError("{\"type\":\"PING\"}", ErrorCode.UNKNOWN_TYPE, "PING");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "{\"type\":\"ping\"", "{'type':'ping'}", "{\"type\":\"ping\",}", ""})
    void refusesInvalidJson(String frame) {
        assertError(frame, ErrorCode.BAD_REQUEST, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "true", "null"})
    void refusesJsonThatIsNotAnObject(String frame) {
        assertError(frame, ErrorCode.BAD_REQUEST, null);
    }

    @Test
    void refusesFrameLargerThanTheLimit() {
        String padding = "x".repeat(MAX_FRAME_BYTES);

        assertError("{\"type\":\"ping\",\"pad\":\"" + padding + "\"}", ErrorCode.TOO_LARGE, null);
    }

    @Test
    void countsFrameSizeInUtf8Bytes() {
        String prefix = "{\"type\":\"ping\",\"pad\":\"";
        String suffix = "\"}";
        int room = MAX_FRAME_BYTES - prefix.length() - suffix.length();
        String fits = prefix + "x".repeat(room) + suffix;
        // each é is one char but two bytes, so this frame has fewer chars than the limit, yet more bytes
        String overflows = prefix + "é".repeat(room / 2 + 1) + suffix;

        assertThat(decoder.decode(fits)).isEqualTo(new Inbound.Ping());
        assertThat(overflows.length()).isLessThanOrEqualTo(MAX_FRAME_BYTES);
        assertError(overflows, ErrorCode.TOO_LARGE, null);
    }

    @Test
    void refusesTextOverTheLimitCountingCodePoints() {
        String longest = GRINNING.repeat(MAX_TEXT_CHARS);

        assertThat(decoder.decode(send("c1", longest))).isEqualTo(new Inbound.Send("c1", longest));
        assertError(send("c2", "a".repeat(MAX_TEXT_CHARS + 1)), ErrorCode.TOO_LARGE, "c2");
        assertError(send("c3", GRINNING.repeat(MAX_TEXT_CHARS + 1)), ErrorCode.TOO_LARGE, "c3");
    }

    @Test
    void refusesBlankText() {
        assertError(send("c1", ""), ErrorCode.BAD_REQUEST, "c1");
        assertError(send("c1", "   "), ErrorCode.BAD_REQUEST, "c1");
    }

    @Test
    void refusesUnknownReportReasonAndLongNote() {
        assertError("{\"type\":\"report\",\"reason\":\"boring\"}", ErrorCode.BAD_REQUEST, "report");
        assertError("{\"type\":\"report\",\"reason\":\"spam\",\"note\":\"" + "n".repeat(FrameDecoder.MAX_NOTE_CHARS + 1) + "\"}",
                new FrameDecoder(JsonMapper.builder().build(), 4096, MAX_TEXT_CHARS), ErrorCode.TOO_LARGE, "report");
    }

    @Test
    void lowerCasesAndTrimsInterests() {
        assertThat(decoder.decode(match("[\" Music \", \"GO\", \"rock-n roll\"]")))
                .isEqualTo(new Inbound.Match(List.of("music", "go", "rock-n roll")));
    }

    @Test
    void mergesDuplicateInterestsKeepingOrder() {
        assertThat(decoder.decode(match("[\"go\", \"music\", \"Go\", \" go \", \"MUSIC\"]")))
                .isEqualTo(new Inbound.Match(List.of("go", "music")));
    }

    @Test
    void treatsEmptyOrNullInterestsAsNone() {
        assertThat(decoder.decode(match("[]"))).isEqualTo(new Inbound.Match(List.of()));
        assertThat(decoder.decode(match("null"))).isEqualTo(new Inbound.Match(List.of()));
    }

    @Test
    void acceptsFiveInterestsButNotSix() {
        assertThat(decoder.decode(match("[\"a\",\"b\",\"c\",\"d\",\"e\"]")))
                .isEqualTo(new Inbound.Match(List.of("a", "b", "c", "d", "e")));
        assertError(match("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]"), ErrorCode.BAD_REQUEST, "match");
    }

    @Test
    void acceptsInterestOfTwentyFourCharactersButNotTwentyFive() {
        assertThat(decoder.decode(match("[\"" + "a".repeat(24) + "\"]")))
                .isEqualTo(new Inbound.Match(List.of("a".repeat(24))));
        assertError(match("[\"" + "a".repeat(25) + "\"]"), ErrorCode.BAD_REQUEST, "match");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"c++\"]", "[\"under_score\"]", "[\"tab\\there\"]", "[\"emoji \uD83D\uDE00\"]",
            "[\"ok\", \"no!\"]", "[\"a\u00b7b\"]", "[\"x\\ud800\"]"})
    void refusesInterestsWithCharactersOutsideTheAlphabet(String interests) {
        assertError(match(interests), ErrorCode.BAD_REQUEST, "match");
    }

    @Test
    void acceptsLettersAndDigitsOfAnyScript() {
        assertThat(decoder.decode(match("[\"\u00e9t\u00e9\", \"\u97f3\u697d\", \"\u0645\u0648\u0633\u064a\u0642\u0649\", "
                + "\"\u0939\u093f\u0928\u094d\u0926\u0940\", \"\u0663\u0664 \u043a\u0438\u043d\u043e\"]")))
                .isEqualTo(new Inbound.Match(List.of("\u00e9t\u00e9", "\u97f3\u697d", "\u0645\u0648\u0633\u064a\u0642\u0649",
                        "\u0939\u093f\u0928\u094d\u0926\u0940", "\u0663\u0664 \u043a\u0438\u043d\u043e")));
    }

    @Test
    void normalisesInterestsSoEqualTagsMatch() {
        // Composed and decomposed, capitals, full-width letters and digits, an ideographic space.
        assertThat(decoder.decode(match("[\"\u00dcn\u00efcode\", \"u\u0308ni\u0308CODE\", \"\uff2b\uff30\uff2f\uff30\uff12\uff14\", "
                + "\"\u3000kpop24\u3000\", \"\u041c\u0423\u0417\u042b\u041a\u0410\"]")))
                .isEqualTo(new Inbound.Match(List.of("\u00fcn\u00efcode", "kpop24", "\u043c\u0443\u0437\u044b\u043a\u0430")));
    }

    @Test
    void countsInterestLengthInCodePointsAfterNormalising() {
        String hanzi = "\u97f3".repeat(24);
        assertThat(decoder.decode(match("[\"" + hanzi + "\"]"))).isEqualTo(new Inbound.Match(List.of(hanzi)));
        assertError(match("[\"" + hanzi + "\u97f3\"]"), ErrorCode.BAD_REQUEST, "match");
        // One square sign that NFKC turns into three letters counts as three.
        assertError(match("[\"" + "a".repeat(22) + "\u3250\"]"), ErrorCode.BAD_REQUEST, "match");
    }

    @Test
    void decodesReportAndBlockNamingAnEndedChannel() {
        assertThat(decoder.decode("{\"type\":\"block\"}")).isEqualTo(new Inbound.Block(null, null));
        assertThat(decoder.decode("{\"type\":\"block\",\"channelId\":\"c1\",\"token\":\"t\"}"))
                .isEqualTo(new Inbound.Block("c1", "t"));
        assertThat(decoder.decode("{\"type\":\"report\",\"reason\":\"minor\",\"channelId\":\"c1\",\"token\":\"t\"}"))
                .isEqualTo(new Inbound.Report("minor", "", "c1", "t"));
        assertError("{\"type\":\"block\",\"channelId\":\"c1\"}", ErrorCode.BAD_REQUEST, "block");
        assertError("{\"type\":\"report\",\"reason\":\"spam\",\"token\":\"t\"}", ErrorCode.BAD_REQUEST, "report");
        assertError("{\"type\":\"block\",\"channelId\":7,\"token\":\"t\"}", ErrorCode.BAD_REQUEST, "block");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"\"]", "[\"   \"]", "[\"go\", \" \"]"})
    void refusesInterestsEmptyAfterTrimming(String interests) {
        assertError(match(interests), ErrorCode.BAD_REQUEST, "match");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"music\"", "{\"a\":1}", "[1]", "[null]", "[[\"go\"]]", "true"})
    void refusesInterestsThatAreNotAListOfStrings(String interests) {
        assertError(match(interests), ErrorCode.BAD_REQUEST, "match");
    }

    private void assertError(String frame, String code, String ref) {
        assertError(frame, decoder, code, ref);
    }

    private static void assertError(String frame, FrameDecoder decoder, String code, String ref) {
        FrameException error = catchThrowableOfType(FrameException.class, () -> decoder.decode(frame));

        assertThat(error).as("error for %s", frame).isNotNull();
        assertThat(error.code()).as("code for %s", frame).isEqualTo(code);
        assertThat(error.getMessage()).as("message for %s", frame).isNotBlank();
        if (ref != null) {
            assertThat(error.ref()).as("ref for %s", frame).isEqualTo(ref);
        }
    }

    private static String send(String cmid, String text) {
        return "{\"type\":\"send\",\"cmid\":\"" + cmid + "\",\"text\":\"" + text + "\"}";
    }

    @Test
    void countsUtf8BytesWithoutEncoding() {
        for (String text : new String[] { "", "ascii", "\u00fc\u00df", "\u20ac\u4e2d", "\uD83D\uDE00 smile", "mixed \u00e9\u20ac\uD83D\uDE00" }) {
            assertThat(FrameDecoder.utf8Length(text)).as(text)
                    .isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }

    private static String match(String interests) {
        return "{\"type\":\"match\",\"interests\":" + interests + "}";
    }
}
