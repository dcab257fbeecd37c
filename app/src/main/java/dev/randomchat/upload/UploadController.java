package dev.randomchat.upload;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/channels/{channelId}/files} (multipart part {@code file}, channel token as
 * {@code Authorization: Bearer}): 201 {@code {id, name, size, contentType, url}}; 400 no file part
 * or a broken body; 401 no or bad token; 403 another channel's token; 408 the body sent nothing for
 * {@code UPLOAD_IDLE_SECONDS}; 410 the channel has ended; 413 over {@code MAX_UPLOAD_BYTES} or the
 * channel's quota; 429 the guest has {@code UPLOADS_IN_FLIGHT} uploads under way; 503 the store is
 * unavailable. The body is read by
 * {@link MultipartSpool} itself, never by an argument resolver, so nothing buffers it first.
 *
 * <p>A refused upload is answered with {@code Connection: close}: its body is often unread, and
 * reading megabytes only to refuse them is a waste. Closing also sidesteps a Reactor Netty 1.3
 * stall: a request that arrived pipelined and whose body the handler never read holds back the
 * next request on the same connection until the client gives up.
 */
@RestController
class UploadController {

    private final UploadService uploads;

    UploadController(UploadService uploads) {
        this.uploads = uploads;
    }

    @PostMapping("/api/channels/{channelId}/files")
    Mono<ResponseEntity<UploadedFile>> upload(@PathVariable String channelId, ServerHttpRequest request,
            ServerHttpResponse response) {
        return uploads.upload(channelId, request)
                .map(file -> ResponseEntity.status(HttpStatus.CREATED).body(file))
                .doOnError(ex -> response.getHeaders().setConnection("close"));
    }
}
