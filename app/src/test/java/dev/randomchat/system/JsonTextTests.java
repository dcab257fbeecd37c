package dev.randomchat.system;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTextTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void quotesWhatJacksonReadsBackUnchanged() {
        String[] values = { "", "plain", "say \"hi\"", "back\\slash", "line\nbreak\r\ttab", "\u0000\u0001\u001f\b\f",
                "emoji \uD83D\uDE00 and ü", "</script>", "\u2028\u2029", "ends with \\" };
        for (String value : values) {
            String quoted = JsonText.quote(value);
            assertThat(JSON.readValue(quoted, String.class)).as(quoted).isEqualTo(value);
        }
    }

    @Test
    void escapesControlCharactersAsJacksonDoes() {
        assertThat(JsonText.quote("a\u0001b\"c\\d\n")).isEqualTo(JSON.writeValueAsString("a\u0001b\"c\\d\n"));
    }
}
