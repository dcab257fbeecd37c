package dev.randomchat.upload;

import java.util.regex.Pattern;

/**
 * Object keys: {@code {channelId}/{fileId}}, both ids made by the server ({@code RandomIds}, URL-safe
 * base64). Anything else is refused, so a key from a URL can never leave its channel's prefix or
 * name a path outside the upload folder.
 */
final class FileKeys {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private FileKeys() {
    }

    static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    static String key(String channelId, String fileId) {
        requireValid(channelId);
        requireValid(fileId);
        return channelId + "/" + fileId;
    }

    static String prefix(String channelId) {
        requireValid(channelId);
        return channelId + "/";
    }

    /** The two ids of a key made by {@link #key}. */
    static String[] split(String key) {
        int slash = key.indexOf('/');
        String[] ids = slash < 0 ? new String[0] : new String[] { key.substring(0, slash), key.substring(slash + 1) };
        if (ids.length != 2 || !validId(ids[0]) || !validId(ids[1])) {
            throw new IllegalArgumentException("not a file key");
        }
        return ids;
    }

    private static void requireValid(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("not a server-made id");
        }
    }
}
