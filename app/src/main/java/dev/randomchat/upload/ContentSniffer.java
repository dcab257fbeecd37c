package dev.randomchat.upload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Decides a file's type from its first bytes (magic numbers), never from its name or the type the
 * client claimed. Only png, jpeg, gif and webp count as images and are shown inline; pdf is
 * recognised but, like everything else, served as an attachment.
 */
final class ContentSniffer {

    /** Bytes needed to tell every type below apart (webp: "RIFF", 4 size bytes, "WEBP"). */
    static final int HEAD_BYTES = 16;
    static final String UNKNOWN = "application/octet-stream";

    private static final Set<String> IMAGES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    private static final byte[] JPEG = { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF };
    private static final byte[] GIF87 = ascii("GIF87a");
    private static final byte[] GIF89 = ascii("GIF89a");
    private static final byte[] RIFF = ascii("RIFF");
    private static final byte[] WEBP = ascii("WEBP");
    private static final byte[] PDF = ascii("%PDF-");

    private ContentSniffer() {
    }

    /** The content type of a file that starts with {@code head}. */
    static String sniff(byte[] head) {
        if (startsWith(head, 0, PNG)) {
            return "image/png";
        }
        if (startsWith(head, 0, JPEG)) {
            return "image/jpeg";
        }
        if (startsWith(head, 0, GIF87) || startsWith(head, 0, GIF89)) {
            return "image/gif";
        }
        if (startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP)) {
            return "image/webp";
        }
        if (startsWith(head, 0, PDF)) {
            return "application/pdf";
        }
        return UNKNOWN;
    }

    /** Whether a stored type may be shown inline (an image we recognised ourselves). */
    static boolean inline(String contentType) {
        return IMAGES.contains(contentType);
    }

    private static boolean startsWith(byte[] head, int offset, byte[] magic) {
        return head.length >= offset + magic.length
                && Arrays.equals(head, offset, offset + magic.length, magic, 0, magic.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
