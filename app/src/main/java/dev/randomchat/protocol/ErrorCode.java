package dev.randomchat.protocol;

/** The error codes of the protocol. */
public final class ErrorCode {

    public static final String BAD_REQUEST = "bad_request";
    public static final String UNKNOWN_TYPE = "unknown_type";
    public static final String TOO_LARGE = "too_large";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String INVALID_TOKEN = "invalid_token";
    public static final String NOT_IN_CHANNEL = "not_in_channel";
    public static final String CHANNEL_CLOSED = "channel_closed";
    public static final String UNKNOWN_FILE = "unknown_file";
    public static final String INTERNAL = "internal";

    private ErrorCode() {
    }
}
