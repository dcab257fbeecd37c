package dev.randomchat.protocol;

/** A client frame that cannot be served; answered with an {@code error} frame, the socket lives on. */
public class FrameException extends RuntimeException {

    private final String code;
    private final String ref;

    public FrameException(String code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public String code() {
        return code;
    }

    public String ref() {
        return ref;
    }

    public static FrameException badRequest(String message, String ref) {
        return new FrameException(ErrorCode.BAD_REQUEST, message, ref);
    }
}
