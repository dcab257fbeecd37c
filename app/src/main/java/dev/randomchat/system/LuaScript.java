package dev.randomchat.system;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * A Lua script read from the classpath next to the feature that owns it. Its {@link RedisScript}
 * (source, SHA-1, a one-string result) is what {@link Redis#run} executes: by SHA, with a fallback
 * to EVAL once per node.
 *
 * <p>A line {@code --#include name} is replaced by the shared snippet {@code system/lua/name.lua}
 * before the SHA is taken, so Redis only ever sees whole scripts. Snippets define local helpers
 * (the clock, the presence scan, the event envelope, the queue's tagged members) and include
 * nothing themselves.
 */
public record LuaScript(String name, RedisScript<String> script) {

    private static final Pattern INCLUDE = Pattern.compile("(?m)^--#include ([a-z-]+)[ \\t]*$");

    public static LuaScript load(Class<?> owner, String file) {
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + file + " next to " + owner.getName());
            }
            String source = withIncludes(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return new LuaScript(file, RedisScript.of(source, String.class));
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot load script " + file, ex);
        }
    }

    public String source() {
        return script.getScriptAsString();
    }

    public String sha1() {
        return script.getSha1();
    }

    /** The source with every {@code --#include name} line replaced by its snippet. */
    static String withIncludes(String source) {
        Matcher include = INCLUDE.matcher(source);
        StringBuilder out = new StringBuilder();
        while (include.find()) {
            include.appendReplacement(out, Matcher.quoteReplacement(snippet(include.group(1))));
        }
        include.appendTail(out);
        return out.toString();
    }

    private static String snippet(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("lua/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing Lua snippet " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot load Lua snippet " + name, ex);
        }
    }
}
