package dev.randomchat.upload;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentSnifferTests {

    @Test
    void recognisesTheFourImageTypesByTheirMagicNumbers() {
        assertThat(ContentSniffer.sniff(bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0))).isEqualTo("image/png");
        assertThat(ContentSniffer.sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0))).isEqualTo("image/jpeg");
        assertThat(ContentSniffer.sniff(ascii("GIF89a..."))).isEqualTo("image/gif");
        assertThat(ContentSniffer.sniff(ascii("GIF87a..."))).isEqualTo("image/gif");
        assertThat(ContentSniffer.sniff(ascii("RIFF\u0001\u0002\u0003\u0004WEBPVP8 "))).isEqualTo("image/webp");
        assertThat(ContentSniffer.inline("image/webp")).isTrue();
    }

    @Test
    void treatsEverythingElseAsAnAttachment() {
        assertThat(ContentSniffer.sniff(ascii("%PDF-1.7"))).isEqualTo("application/pdf");
        assertThat(ContentSniffer.inline("application/pdf")).isFalse();
        assertThat(ContentSniffer.sniff(ascii("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")))
                .isEqualTo("application/octet-stream");
        assertThat(ContentSniffer.sniff(ascii("<!doctype html><script>"))).isEqualTo("application/octet-stream");
        assertThat(ContentSniffer.sniff(ascii("RIFF\u0001\u0002\u0003\u0004WAVEfmt "))).isEqualTo("application/octet-stream");
        assertThat(ContentSniffer.sniff(bytes(0x89, 'P', 'N'))).isEqualTo("application/octet-stream");
        assertThat(ContentSniffer.sniff(new byte[0])).isEqualTo("application/octet-stream");
        assertThat(ContentSniffer.inline("application/octet-stream")).isFalse();
        assertThat(ContentSniffer.inline("image/svg+xml")).isFalse();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
