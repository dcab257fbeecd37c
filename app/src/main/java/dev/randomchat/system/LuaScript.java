package dev.randomchat.system;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script read from the classpath next to the feature that owns it, with its SHA-1 so it
 * runs with EVALSHA and falls back to EVAL once per node.
 */
public record LuaScript(String name, String source, String sha1) {

    public static LuaScript load(Class<?> owner, String file) {
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + file + " next to " + owner.getName());
            }
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(file, source, HexFormat.of().formatHex(digest));
        }
        catch (IOException | NoSuchAlgorithmException ex) {
            throw new IllegalStateException("cannot load script " + file, ex);
        }
    }
}
