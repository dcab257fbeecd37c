package dev.randomchat.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class LuaScriptTests {

    /** The scripts as they are in the repository (the tests run in the app module). */
    private static final Path SCRIPTS = Path.of("src/main/resources/dev/randomchat");

    @Test
    void replacesAnIncludeLineWithItsSnippetBeforeTheShaIsTaken() throws NoSuchAlgorithmException {
        LuaScript unwait = LuaScript.load(LuaScript.class, "/dev/randomchat/match/unwait.lua");

        assertThat(unwait.source()).doesNotContain("--#include").contains("local function taggedMember(");
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(unwait.source().getBytes(StandardCharsets.UTF_8));
        assertThat(unwait.sha1()).isEqualTo(HexFormat.of().formatHex(digest));
    }

    @Test
    void refusesAnIncludeOfNoSnippet() {
        assertThatIllegalStateException().isThrownBy(() -> LuaScript.withIncludes("--#include nothing-here\nreturn 1"));
    }

    /** Every whole script (the snippets in system/lua/ are parts of scripts, not scripts) says why it runs as one step. */
    @Test
    void everyScriptLoadsAndItsHeaderSaysWhyItIsAtomic() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(SCRIPTS)) {
            scripts = files.filter(file -> file.toString().endsWith(".lua"))
                    .filter(file -> !file.startsWith(SCRIPTS.resolve("system/lua")))
                    .toList();
        }
        assertThat(scripts).hasSizeGreaterThan(20);
        for (Path script : scripts) {
            String source = Files.readString(script);
            List<String> header = source.lines().takeWhile(line -> line.startsWith("--")).toList();
            assertThat(header).as("%s: a header line \"-- Atomic because <the reason>\"", script)
                    .anyMatch(line -> line.startsWith("-- Atomic because "));
            assertThat(LuaScript.withIncludes(source)).as(script.toString()).doesNotContain("--#include");
        }
    }
}
