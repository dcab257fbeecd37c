package dev.randomchat.system;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * A Lua script read from the classpath next to the feature that owns it. Its {@link RedisScript}
 * (source, SHA-1, a one-string result) is what {@link Redis#run} executes: by SHA, with a fallback
 * to EVAL once per node.
 */
public record LuaScript(String name, RedisScript<String> script) {

    public static LuaScript load(Class<?> owner, String file) {
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + file + " next to " + owner.getName());
            }
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
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
}
