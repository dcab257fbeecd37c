package dev.randomchat.upload;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Service;

import dev.randomchat.auth.ChannelAuth;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.system.RandomIds;

/**
 * {@code POST /api/channels/{id}/files}: the request body streams through a multipart parser
 * straight into the store, never held whole in memory or on disk.
 *
 * <p>The body is parsed into {@link PartEvent}s ({@link PartEventHttpMessageReader}), which hand
 * over each part's content as the request's own buffers arrive; unlike the default
 * {@code DefaultPartHttpMessageReader} nothing is spooled to memory or temporary files. The file
 * part's buffers are counted as they come ({@link Intake}) and fed through a small bounded queue to a
 * worker thread that sniffs the first bytes and writes the rest to the {@link FileStore}. Once the
 * file passes {@code MAX_UPLOAD_BYTES}, the body fails with the next buffer that arrives, which
 * cancels it (Reactor Netty then closes the connection): 413 at once, whatever Content-Length said
 * or whether there was one. A Content-Length that alone is over the limit plus
 * {@link #MULTIPART_OVERHEAD} is refused before a byte of the body is read.
 */
@Service
class UploadService {

    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    /** Room for the multipart framing around the file: boundaries, part headers, a few small fields. */
    static final long MULTIPART_OVERHEAD = 64 * 1024;
    static final String FILE_PART = "file";
    /** Request buffers queued between the event loop and the store's worker: bounds an upload's heap. */
    private static final int QUEUED_BUFFERS = 8;
    /** Form fields other than the file are small; their headers too. */
    private static final int MAX_FIELD_BYTES = 8 * 1024;
    private static final int MAX_PART_HEADERS_BYTES = 8 * 1024;
    private static final ResolvableType PART_EVENT = ResolvableType.forClass(PartEvent.class);
    /**
     * Reactor's context key for a local onErrorDropped hook ({@code Hooks.KEY_ON_ERROR_DROPPED}, not
     * public). A body that fails mid-part reaches {@link PartEventHttpMessageReader}'s window and
     * its main stream both; the second copy is dropped, which Reactor logs as an error by default.
     */
    private static final String ON_ERROR_DROPPED = "reactor.onErrorDropped.local";
    private static final Consumer<Throwable> QUIETLY_DROPPED = ex -> log.debug("upload body error seen twice: {}",
            ex.toString());

    private final FileStore store;
    private final ChannelService channels;
    private final ChannelAuth auth;
    private final FileLinks links;
    private final JsonMapper json;
    private final UploadMetrics metrics;
    private final long maxBytes;
    private final PartEventHttpMessageReader parts = new PartEventHttpMessageReader();

    UploadService(FileStore store, ChannelService channels, ChannelAuth auth, FileLinks links, JsonMapper json,
            UploadMetrics metrics, UploadProperties properties) {
        this.store = store;
        this.channels = channels;
        this.auth = auth;
        this.links = links;
        this.json = json;
        this.metrics = metrics;
        this.maxBytes = properties.maxUploadBytes();
        this.parts.setMaxInMemorySize(MAX_FIELD_BYTES);
        this.parts.setMaxHeadersSize(MAX_PART_HEADERS_BYTES);
    }

    /** Checks the token, the channel and the declared size, then takes the body. */
    Mono<UploadedFile> upload(String channelId, ServerHttpRequest request) {
        return Mono.defer(() -> {
                    auth.require(request, channelId);
                    checkHead(request);
                    return channels.isOpen(channelId);
                })
                .flatMap(open -> open ? receive(channelId, request) : Mono.error(UploadRejection.channelClosed()))
                .doOnNext(metrics::stored)
                .doOnError(metrics::rejected);
    }

    private void checkHead(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes + MULTIPART_OVERHEAD) {
            throw UploadRejection.tooLarge(maxBytes);
        }
        MediaType type = request.getHeaders().getContentType();
        if (type == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type)) {
            throw UploadRejection.noFile();
        }
    }

    /**
     * Parses the whole body: the first part named {@code file} is stored, every other part is
     * skipped. The file is recorded on the channel only once the body has ended well. Nothing here
     * cancels the parser mid-body (see {@link Intake}): a failed store still reads the rest of a
     * body that the limits keep small.
     */
    private Mono<UploadedFile> receive(String channelId, ServerHttpRequest request) {
        Attempt attempt = new Attempt(new Intake(maxBytes, maxBytes + MULTIPART_OVERHEAD));
        return parts.read(PART_EVENT, attempt.intake.guard(request), Map.of())
                .windowUntil(PartEvent::isLast)
                .concatMap(part -> part.switchOnFirst((first, events) -> part(first.get(), events, channelId, attempt)))
                .then(Mono.defer(attempt::outcome))
                .onErrorResume(ex -> attempt.discard(store)
                        .then(Mono.error(explain(ex, attempt))))
                .flatMap(file -> record(channelId, file))
                .contextWrite(Context.of(ON_ERROR_DROPPED, QUIETLY_DROPPED));
    }

    private Publisher<Void> part(PartEvent first, Flux<PartEvent> events, String channelId, Attempt attempt) {
        if (first == null) {
            // An empty window: pass its completion or error on.
            return events.then();
        }
        if (!FILE_PART.equals(first.name()) || first instanceof FormPartEvent || !attempt.takeFile()) {
            return events.doOnNext(event -> DataBufferUtils.release(event.content()))
                    .then();
        }
        String name = FileNames.clean(first instanceof FilePartEvent file ? file.filename() : null);
        return store(channelId, name, events.map(PartEvent::content), attempt);
    }

    /** Streams the file to the store under a new key; the outcome goes to {@code attempt}, never as an error. */
    private Mono<Void> store(String channelId, String name, Flux<DataBuffer> content, Attempt attempt) {
        String fileId = RandomIds.next();
        String key = FileKeys.key(channelId, fileId);
        return Mono.using(() -> new BufferedInputStream(attempt.intake.open(content, QUEUED_BUFFERS),
                                ContentSniffer.HEAD_BYTES),
                        input -> sniffAndPut(key, name, input),
                        UploadService::closeQuietly)
                .doOnNext(stored -> attempt.stored(key, new UploadedFile(fileId, name, stored.size(),
                        stored.contentType(), links.create(channelId, fileId))))
                .onErrorResume(ex -> {
                    attempt.failed(failure(ex, channelId, fileId, attempt.intake));
                    return Mono.empty();
                })
                .then();
    }

    /** Sniffs, then stores; when the store fails, reads the rest of the file so the body can end. */
    private Mono<Stored> sniffAndPut(String key, String name, BufferedInputStream input) {
        return Mono.fromCallable(() -> sniff(input))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(contentType -> store.put(key, input, -1, new FileStore.FileMeta(name, contentType))
                        .map(size -> new Stored(contentType, size)))
                .onErrorResume(ex -> drain(input)
                        .then(Mono.error(ex)));
    }

    private static Mono<Void> drain(InputStream input) {
        return Mono.fromRunnable(() -> {
                    try {
                        input.transferTo(OutputStream.nullOutputStream());
                    }
                    catch (IOException ex) {
                        // the body failed or ended: nothing left to read
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .then();
    }

    /** Reads the first bytes and puts them back: the store gets the whole stream. */
    private static String sniff(BufferedInputStream input) throws IOException {
        input.mark(ContentSniffer.HEAD_BYTES);
        byte[] head = input.readNBytes(ContentSniffer.HEAD_BYTES);
        input.reset();
        return ContentSniffer.sniff(head);
    }

    /** Adds the file to the channel, or removes it again when the channel ended meanwhile. */
    private Mono<UploadedFile> record(String channelId, UploadedFile file) {
        String key = FileKeys.key(channelId, file.id());
        return channels.addFile(channelId, file.id(), json.writeValueAsString(file))
                .onErrorResume(ex -> discard(key).then(Mono.error(ex)))
                .flatMap(added -> added
                        ? Mono.just(file)
                        : discard(key).then(Mono.error(UploadRejection.channelClosed())));
    }

    private Mono<Void> discard(String key) {
        return store.delete(key)
                .onErrorResume(ex -> Mono.empty());
    }

    /** What a failed store means for the client: the limit, a broken body, or the store itself. */
    private Throwable failure(Throwable ex, String channelId, String fileId, Intake intake) {
        if (intake.tooLarge() || intake.cutShort() || !(ex instanceof FileStore.StorageException)) {
            return ex;
        }
        log.warn("upload {} to channel {} failed in storage: {}", fileId, channelId, MinioFileStore.rootCause(ex));
        return UploadRejection.storageUnavailable();
    }

    private Throwable explain(Throwable ex, Attempt attempt) {
        Intake intake = attempt.intake;
        if (intake.tooLarge()) {
            return UploadRejection.tooLarge(maxBytes);
        }
        if (ex instanceof UploadRejection) {
            return ex;
        }
        if (intake.cutShort() || ex instanceof DecodingException || ex instanceof DataBufferLimitException) {
            return UploadRejection.malformed("the multipart body is malformed or ended early");
        }
        return ex;
    }

    private static void closeQuietly(InputStream input) {
        try {
            input.close();
        }
        catch (IOException ex) {
            // the request body is being cancelled anyway
        }
    }

    private record Stored(String contentType, long size) {
    }

    /**
     * One request's progress: whether its file part was seen, and what storing it gave. Parts are
     * handled one after another ({@code concatMap}); fields are volatile because the store reports
     * from its worker thread.
     */
    private static final class Attempt {

        final Intake intake;
        private volatile boolean fileTaken;
        private volatile String key;
        private volatile UploadedFile file;
        private volatile Throwable failure;

        Attempt(Intake intake) {
            this.intake = intake;
        }

        /** True for the first file part only. */
        boolean takeFile() {
            if (fileTaken) {
                return false;
            }
            fileTaken = true;
            return true;
        }

        void stored(String key, UploadedFile file) {
            this.key = key;
            this.file = file;
        }

        void failed(Throwable failure) {
            this.failure = failure;
        }

        /** After the whole body: the stored file, why it was not stored, or that there was none. */
        Mono<UploadedFile> outcome() {
            if (failure != null) {
                return Mono.error(failure);
            }
            return file != null ? Mono.just(file) : Mono.error(UploadRejection.noFile());
        }

        /** Removes a file stored before the body failed. */
        Mono<Void> discard(FileStore store) {
            return key == null ? Mono.empty() : store.delete(key)
                    .onErrorResume(ex -> Mono.empty());
        }
    }
}
