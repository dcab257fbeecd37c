package dev.randomchat.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one JWT form this server issues, signed and checked directly: the header
 * {@code {"alg":"HS256"}} byte for byte, a JSON payload, and an HMAC-SHA256 of the two. A JFR
 * profile of the matching rows (issue 21) found jjwt's builder and parser under most of the
 * upgrade's and the pairing's CPU (a general builder, parameter maps, a JSON library round trip and
 * a JCA lookup per token): about 12% of the server's CPU per pair. Tokens of any other form (another
 * header) are not handled here; {@link TokenService} gives them to jjwt.
 *
 * <p>Checks: exactly three segments; the header as above (so never {@code alg: none} or another
 * algorithm); a 32-byte signature compared in constant time before the payload is parsed; a payload
 * that is a JSON object. The claims are checked by {@link TokenService}.
 */
final class CompactHs256 {

    /** Base64url of {@code {"alg":"HS256"}}, as jjwt writes it too. */
    static final String HEADER = "eyJhbGciOiJIUzI1NiJ9";
    private static final int SIGNATURE_CHARS = 43; // 32 bytes, base64url without padding
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final ThreadLocal<Mac> macs;

    CompactHs256(byte[] secret) {
        this.macs = ThreadLocal.withInitial(() -> newMac(secret));
    }

    static ObjectNode newPayload() {
        return JSON.createObjectNode();
    }

    String sign(ObjectNode payload) {
        String signed = HEADER + "." + ENCODER.encodeToString(JSON.writeValueAsBytes(payload));
        return signed + "." + ENCODER.encodeToString(mac(signed));
    }

    /** Whether the token has this form's header, so this class, not jjwt, decides on it. */
    static boolean handles(String token) {
        return token.startsWith(HEADER + ".");
    }

    /** The payload of a token of this form signed with this key; empty for anything else. */
    Optional<JsonNode> verify(String token) {
        int payloadEnd = token.indexOf('.', HEADER.length() + 1);
        if (!handles(token) || payloadEnd < 0 || token.length() - payloadEnd - 1 != SIGNATURE_CHARS
                || token.indexOf('.', payloadEnd + 1) >= 0) {
            return Optional.empty();
        }
        try {
            byte[] signature = DECODER.decode(token.substring(payloadEnd + 1));
            if (!MessageDigest.isEqual(mac(token.substring(0, payloadEnd)), signature)) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(DECODER.decode(token.substring(HEADER.length() + 1, payloadEnd)));
            return payload != null && payload.isObject() ? Optional.of(payload) : Optional.empty();
        }
        catch (IllegalArgumentException | JacksonException ex) {
            return Optional.empty();
        }
    }

    private byte[] mac(String signed) {
        return macs.get().doFinal(signed.getBytes(StandardCharsets.US_ASCII));
    }

    /** An HMAC-SHA256 keyed with {@code secret} (not thread-safe: one per thread, or one per use). */
    static Mac newMac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }
}
