package dev.randomchat.upload;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Service;

import dev.randomchat.auth.ChannelAuth;
import dev.randomchat.auth.ChannelGrant;

/**
 * {@code POST /api/channels/{id}/files}: the checks of an upload, in order, and the resources it
 * holds. No thread ever waits on a client's network: a stalled body holds an open file and its
 * upload slot, nothing more, until {@code UPLOAD_IDLE_SECONDS} abandon it.
 *
 * <p>In order: the token, the declared size, the channel (open, with room left), one of the guest's
 * upload slots ({@link UploadLimits}), then the body, spooled to disk as it arrives
 * ({@link MultipartSpool}): a file over {@code MAX_UPLOAD_BYTES} gets 413 at once, whatever
 * Content-Length said or whether there was one, and a Content-Length that alone is over the limit
 * plus {@link MultipartSpool#MULTIPART_OVERHEAD} is refused before a byte of the body is read. With
 * the whole file on disk, {@link FileKeeper} holds room for its size in the channel's quota while
 * the store takes it and the channel records it.
 *
 * <p>Whatever ends the request (an answer, an error, the client leaving), the spool file is
 * deleted and the slot and any held room given back, each by the step that took it.
 */
@Service
class UploadService {

    private final ChannelAuth auth;
    private final UploadMetrics metrics;
    private final UploadLimits limits;
    private final MultipartSpool spool;
    private final FileKeeper keeper;
    private final long maxBytes;

    UploadService(ChannelAuth auth, UploadMetrics metrics, UploadLimits limits, MultipartSpool spool, FileKeeper keeper,
            UploadProperties properties) {
        this.auth = auth;
        this.metrics = metrics;
        this.limits = limits;
        this.spool = spool;
        this.keeper = keeper;
        this.maxBytes = properties.maxUploadBytes();
    }

    /** Checks the token, the declared size, the channel and the guest's slots, then takes the body. */
    Mono<UploadedFile> upload(String channelId, ServerHttpRequest request) {
        return Mono.defer(() -> {
                    ChannelGrant grant = auth.require(request, channelId);
                    checkHead(request);
                    return limits.checkRoom(channelId)
                            .thenReturn(grant);
                })
                .flatMap(grant -> Mono.usingWhen(limits.takeSlot(grant.guestId()),
                        slot -> spool.receive(channelId, request, spooled -> keeper.keep(channelId, spooled)),
                        slot -> limits.giveBack(grant.guestId(), slot)))
                .doOnNext(metrics::stored)
                .doOnError(metrics::rejected)
                // A client that closes the connection mid-body may reach us as a cancel rather than
                // an error (which comes first is a race in the server): it aborted all the same.
                .doOnCancel(() -> metrics.rejected(UploadRejection.aborted()));
    }

    private void checkHead(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes + MultipartSpool.MULTIPART_OVERHEAD) {
            throw UploadRejection.tooLarge(maxBytes);
        }
        MediaType type = request.getHeaders().getContentType();
        if (type == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type)) {
            throw UploadRejection.noFile();
        }
    }
}
