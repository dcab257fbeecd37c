package dev.randomchat.call;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.randomchat.system.Configured;

/**
 * Video and voice calls: the signalling limits and the ICE servers handed to the page.
 *
 * @param turnUrls {@code TURN_URLS}: TURN server URLs ({@code turn:turn.example.com:3478?transport=udp}, ...);
 *        listed only together with {@code turnSecret}
 * @param turnSecret {@code TURN_SECRET}: the secret shared with coturn ({@code use-auth-secret}); the
 *        credentials handed out are derived from it and never logged
 * @param turnTtl {@code TURN_TTL_SECONDS}: how long handed-out TURN credentials stay valid
 * @param stunUrls {@code STUN_URLS}: STUN server URLs, listed whether or not TURN is set
 * @param maxSignalBytes {@code MAX_SIGNAL_BYTES}: largest {@code signal} frame (SDP, ICE candidates), in
 *        UTF-8 bytes, even when {@code MAX_MSG_SIZE_BYTE} is smaller
 * @param iceTransportPolicy {@code ICE_TRANSPORT_POLICY}: {@code all}, or {@code relay} to make browsers
 *        use the TURN relay only (hides the guests' addresses from each other; tests use it to keep
 *        media on loopback)
 */
@ConfigurationProperties("chat.call")
public record CallProperties(List<String> turnUrls, String turnSecret, Duration turnTtl, List<String> stunUrls,
        int maxSignalBytes, String iceTransportPolicy) {

    private static final Pattern POLICY = Pattern.compile("all|relay");

    public CallProperties {
        turnUrls = clean(turnUrls);
        stunUrls = clean(stunUrls);
        turnSecret = turnSecret == null ? "" : turnSecret;
        turnTtl = turnTtl == null ? Duration.ofHours(1) : turnTtl;
        maxSignalBytes = maxSignalBytes == 0 ? 16384 : maxSignalBytes;
        iceTransportPolicy = iceTransportPolicy == null || iceTransportPolicy.isBlank() ? "all" : iceTransportPolicy;
        Configured.positive(turnTtl, "TURN_TTL_SECONDS");
        Configured.within(maxSignalBytes, 256, 65536, "MAX_SIGNAL_BYTES");
        Configured.matches(iceTransportPolicy, POLICY, "ICE_TRANSPORT_POLICY", "all or relay");
    }

    /** TURN is offered only with both its URLs and its secret. */
    boolean turnEnabled() {
        return !turnUrls.isEmpty() && !turnSecret.isEmpty();
    }

    private static List<String> clean(List<String> urls) {
        return urls == null ? List.of() : urls.stream().map(String::trim).filter(url -> !url.isEmpty()).toList();
    }
}
