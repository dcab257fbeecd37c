package dev.randomchat.upload;

import org.springframework.http.HttpStatus;

import dev.randomchat.system.ApiException;

/** A refused upload or download: a problem body, and the reason the rejection metric is tagged with. */
final class UploadRejection extends ApiException {

    private final String reason;

    private UploadRejection(HttpStatus status, String title, String reason, String detail) {
        super(status, title, detail);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }

    static UploadRejection tooLarge(long maxBytes) {
        return new UploadRejection(HttpStatus.CONTENT_TOO_LARGE, "Content too large", "too_large",
                "files may be at most " + maxBytes + " bytes");
    }

    static UploadRejection channelFilesFull(int maxFiles) {
        return new UploadRejection(HttpStatus.CONTENT_TOO_LARGE, "Content too large", "channel_quota",
                "a channel may hold at most " + maxFiles + " files");
    }

    static UploadRejection channelBytesFull(long maxBytes) {
        return new UploadRejection(HttpStatus.CONTENT_TOO_LARGE, "Content too large", "channel_quota",
                "a channel's files may add up to at most " + maxBytes + " bytes");
    }

    static UploadRejection tooManyInFlight(int inFlight) {
        return new UploadRejection(HttpStatus.TOO_MANY_REQUESTS, "Too many requests", "in_flight",
                "at most " + inFlight + " uploads at once; wait for one to finish");
    }

    static UploadRejection idle(long seconds) {
        return new UploadRejection(HttpStatus.REQUEST_TIMEOUT, "Request timeout", "idle",
                "the upload sent nothing for " + seconds + " seconds");
    }

    static UploadRejection tooSlow() {
        return new UploadRejection(HttpStatus.REQUEST_TIMEOUT, "Request timeout", "too_slow",
                "the upload took too long");
    }

    /** The client went away mid-body; nobody reads this answer, only the metric does. */
    static UploadRejection aborted() {
        return new UploadRejection(HttpStatus.BAD_REQUEST, "Bad request", "aborted",
                "the upload ended before its last byte");
    }

    static UploadRejection noFile() {
        return new UploadRejection(HttpStatus.BAD_REQUEST, "Bad request", "no_file",
                "send the file as multipart/form-data in a part named \"file\"");
    }

    static UploadRejection malformed(String detail) {
        return new UploadRejection(HttpStatus.BAD_REQUEST, "Bad request", "bad_request", detail);
    }

    static UploadRejection channelClosed() {
        return new UploadRejection(HttpStatus.GONE, "Gone", "channel_closed", "the channel is closed");
    }

    static UploadRejection storageUnavailable() {
        return new UploadRejection(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable", "storage_unavailable",
                "file storage is briefly unavailable; try again");
    }

    static UploadRejection badLink() {
        return new UploadRejection(HttpStatus.FORBIDDEN, "Forbidden", "bad_link", "this link is not valid");
    }

    static UploadRejection expiredLink() {
        return new UploadRejection(HttpStatus.GONE, "Gone", "expired_link", "this link has expired");
    }

    static UploadRejection noSuchFile() {
        return new UploadRejection(HttpStatus.NOT_FOUND, "Not found", "no_such_file",
                "this file is gone (its channel ended)");
    }
}
