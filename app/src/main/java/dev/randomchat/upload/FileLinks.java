package dev.randomchat.upload;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.randomchat.auth.TokenService;

/**
 * Signed download paths: {@code /files/{channelId}/{fileId}?exp=<epoch seconds>&sig=<signature>}.
 * The signature covers {@code channelId/fileId/exp} (ids never contain {@code /}), so a link names
 * one file until one moment and cannot be bent to another file or a later time. Links carry no
 * token: they may end up in logs, histories and Referer-less image requests.
 */
@Component
class FileLinks {

    static final String PATH = "/files/";

    private final TokenService tokens;

    FileLinks(TokenService tokens) {
        this.tokens = tokens;
    }

    /** A link valid for {@code JWT_EXPIRATION_SECONDS} from now. */
    String create(String channelId, String fileId) {
        return create(PATH, channelId, fileId, tokens.ttl());
    }

    /** A link under another path that serves the same files (the operators' copy), valid for {@code ttl}. */
    String create(String path, String channelId, String fileId, Duration ttl) {
        long exp = tokens.now().plus(ttl).getEpochSecond();
        return path + channelId + "/" + fileId + "?exp=" + exp + "&sig=" + tokens.signUrl(payload(channelId, fileId, exp));
    }

    /** Whether {@code sig} is this server's signature of these ids and this expiry. */
    boolean signed(String channelId, String fileId, long exp, String sig) {
        return sig != null && tokens.verifyUrl(payload(channelId, fileId, exp), sig);
    }

    /** Time left before {@code exp}; zero or negative once it has passed. */
    Duration remaining(long exp) {
        return Duration.ofSeconds(exp - tokens.now().getEpochSecond());
    }

    private static String payload(String channelId, String fileId, long exp) {
        return channelId + "/" + fileId + "/" + exp;
    }
}
