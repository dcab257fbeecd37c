package dev.randomchat.upload;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FileNamesTests {

    @Test
    void keepsOnlyTheLastPathSegment() {
        assertThat(FileNames.clean("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileNames.clean("C:\\Users\\ada\\cat.png")).isEqualTo("cat.png");
        assertThat(FileNames.clean("a/b\\c/..")).isEqualTo("file");
        assertThat(FileNames.clean("..")).isEqualTo("file");
    }

    @Test
    void dropsControlCharactersAndDirectionOverrides() {
        assertThat(FileNames.clean("photo\u202Egnp.exe")).isEqualTo("photognp.exe");
        assertThat(FileNames.clean("a\u0000b\u0007c\u001Bd\u007F\u0085.txt")).isEqualTo("abcd.txt");
        assertThat(FileNames.clean("\u2066x\u2069\u200E\u200F\u061C\u2028\uFEFF.png")).isEqualTo("x.png");
        assertThat(FileNames.clean("line\r\nbreak.txt")).isEqualTo("linebreak.txt");
    }

    @Test
    void trimsAndBoundsTheLengthInCodePoints() {
        assertThat(FileNames.clean("   spaced.txt \t")).isEqualTo("spaced.txt");
        String emoji = "\uD83D\uDE00";
        String name = FileNames.clean(emoji.repeat(250));
        assertThat(name.codePointCount(0, name.length())).isEqualTo(200);
        assertThat(name).isEqualTo(emoji.repeat(200));
        assertThat(FileNames.clean("x".repeat(300))).hasSize(200);
    }

    @Test
    void fallsBackToFileWhenNothingIsLeft() {
        assertThat(FileNames.clean(null)).isEqualTo("file");
        assertThat(FileNames.clean("")).isEqualTo("file");
        assertThat(FileNames.clean(" \u202E\u0000 ")).isEqualTo("file");
        assertThat(FileNames.clean("dir/")).isEqualTo("file");
        assertThat(FileNames.clean("Été 2024 — café.jpg")).isEqualTo("Été 2024 — café.jpg");
    }
}
