package dev.randomchat.system;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable opaque ids: 128 random bits, URL-safe base64 (22 characters). */
public final class RandomIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomIds() {
    }

    public static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
