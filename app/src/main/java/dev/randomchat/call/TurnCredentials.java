package dev.randomchat.call;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in the form of the TURN REST API, which coturn checks with
 * {@code use-auth-secret}: the username is {@code <expiry unix seconds>:<guest id>}, the password
 * base64(HMAC-SHA1(secret, username)). coturn refuses them after the expiry; nothing is stored.
 */
record TurnCredentials(String username, String credential) {

    static TurnCredentials issue(String secret, String guestId, Instant expiry) {
        String username = expiry.getEpochSecond() + ":" + guestId;
        return new TurnCredentials(username, sign(secret, username));
    }

    static String sign(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HMAC-SHA1 is not available", ex);
        }
    }

    /** Never prints the credential. */
    @Override
    public String toString() {
        return "TurnCredentials[" + username + "]";
    }
}
