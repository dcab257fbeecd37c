package dev.randomchat.upload;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.chat.ChannelService;

/**
 * {@code GET /files/{channelId}/{fileId}?exp&sig}: the bytes of an uploaded file, for an
 * {@code <img src>} or a download link, with no headers needed. 403 when the signature does not
 * match (any other file, time or tampering), 410 when it matched but {@code exp} has passed, 404
 * when the file is gone or its channel ended (the bytes may still be kept as evidence for the report
 * window, but only the operator's links reach them then), 503 when the store is unavailable.
 *
 * <p>The response can do no harm on our origin: {@code nosniff}, the sniffed type (images only
 * inline, everything else an attachment of {@code application/octet-stream} or {@code pdf}), and a
 * sandboxing CSP, so a stored HTML or SVG file never runs script here even if opened directly.
 */
@RestController
class DownloadController {

    /** No script, no plugins, no forms; an image may show itself, a sandbox for everything else. */
    static final String FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

    private final FileStore store;
    private final FileLinks links;
    private final ChannelService channels;

    DownloadController(FileStore store, FileLinks links, ChannelService channels) {
        this.store = store;
        this.links = links;
        this.channels = channels;
    }

    /** A guest's link: the file of an open channel. */
    @GetMapping(FileLinks.PATH + "{channelId}/{fileId}")
    Mono<ResponseEntity<Flux<DataBuffer>>> guestDownload(@PathVariable String channelId, @PathVariable String fileId,
            @RequestParam(required = false) String exp, @RequestParam(required = false) String sig) {
        return download(channelId, fileId, exp, sig)
                .filterWhen(found -> channels.isOpen(channelId))
                .switchIfEmpty(Mono.error(UploadRejection::noSuchFile));
    }

    /** Any stored file of the channel, open or ended, for a valid signed link. */
    Mono<ResponseEntity<Flux<DataBuffer>>> download(String channelId, String fileId, String exp, String sig) {
        long expiry = parse(exp);
        if (!FileKeys.validId(channelId) || !FileKeys.validId(fileId) || !links.signed(channelId, fileId, expiry, sig)) {
            return Mono.error(UploadRejection.badLink());
        }
        Duration left = links.remaining(expiry);
        if (left.isZero() || left.isNegative()) {
            return Mono.error(UploadRejection.expiredLink());
        }
        return store.get(FileKeys.key(channelId, fileId))
                .switchIfEmpty(Mono.error(UploadRejection::noSuchFile))
                .onErrorMap(FileStore.StorageException.class, ex -> UploadRejection.storageUnavailable())
                .map(file -> ResponseEntity.ok()
                        .headers(headers(file, left))
                        .body(file.content()));
    }

    private static HttpHeaders headers(FileStore.StoredFile file, Duration left) {
        String type = file.meta().contentType();
        boolean inline = ContentSniffer.inline(type);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.parseMediaType(type));
        headers.setContentLength(file.length());
        headers.setContentDisposition((inline ? ContentDisposition.inline() : ContentDisposition.attachment())
                .filename(file.meta().name(), StandardCharsets.UTF_8)
                .build());
        headers.setCacheControl(CacheControl.maxAge(left).cachePrivate());
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Content-Security-Policy", FILE_POLICY);
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        return headers;
    }

    private static long parse(String exp) {
        try {
            return exp == null ? -1 : Long.parseLong(exp);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }
}
