package dev.randomchat.upload;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.channel.AbortedException;
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
import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.system.RandomIds;

/**
 * {@code POST /api/channels/{id}/files}: the file part is written to a spool file as it arrives,
 * with asynchronous file I/O, and handed to the {@link FileStore} only once the body has ended
 * whole. No thread ever waits on a client's network: a stalled body holds an open file and its
 * upload slot, nothing more, until {@code UPLOAD_IDLE_SECONDS} abandon it.
 *
 * <p>In order: the token, the declared size, the channel (open, with room left), one of the guest's
 * upload slots ({@link UploadLimits}), then the body. The body is parsed into {@link PartEvent}s
 * ({@link PartEventHttpMessageReader}), which hand over each part's content as the request's own
 * buffers arrive. The file part's buffers are counted ({@link Intake}): once the file passes
 * {@code MAX_UPLOAD_BYTES}, the body fails with the next buffer that arrives, which cancels it
 * (Reactor Netty then closes the connection): 413 at once, whatever Content-Length said or whether
 * there was one. A Content-Length that alone is over the limit plus {@link #MULTIPART_OVERHEAD} is
 * refused before a byte of the body is read. With the whole file on disk, room for its size is
 * held in the channel's quota while the store takes it and the channel records it.
 *
 * <p>Whatever ends the request (an answer, an error, the client leaving), the spool file is
 * deleted and the slot and any held room given back.
 *
 * <p>Longer than most files here (about 390 lines) on purpose: the checks above run in this
 * order in one pipeline, and every resource it takes is released in the same place; split up,
 * the order and the releases would have to be followed across classes.
 */
@Service
class UploadService {

    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    /** Room for the multipart framing around the file: boundaries, part headers, a few small fields. */
    static final long MULTIPART_OVERHEAD = 64 * 1024;
    static final String FILE_PART = "file";
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
    private static final Consumer<Throwable> QUIETLY_DROPPED = ex -> log.trace("upload body error seen twice: {}",
            ex.toString());

    private final FileStore store;
    private final ChannelService channels;
    private final ChannelAuth auth;
    private final FileLinks links;
    private final JsonMapper json;
    private final UploadMetrics metrics;
    private final UploadLimits limits;
    private final UploadProperties properties;
    private final long maxBytes;
    private final Path spoolDir;
    private final PartEventHttpMessageReader parts = new PartEventHttpMessageReader();

    UploadService(FileStore store, ChannelService channels, ChannelAuth auth, FileLinks links, JsonMapper json,
            UploadMetrics metrics, UploadLimits limits, UploadProperties properties) {
        this.store = store;
        this.channels = channels;
        this.auth = auth;
        this.links = links;
        this.json = json;
        this.metrics = metrics;
        this.limits = limits;
        this.properties = properties;
        this.maxBytes = properties.maxUploadBytes();
        this.spoolDir = spoolDir(properties);
        this.parts.setMaxInMemorySize(MAX_FIELD_BYTES);
        this.parts.setMaxHeadersSize(MAX_PART_HEADERS_BYTES);
    }

    /** Created once, on start-up: uploads under way are written here. */
    private static Path spoolDir(UploadProperties properties) {
        Path dir = properties.spoolDir().isEmpty()
                ? Path.of(System.getProperty("java.io.tmpdir"), "random-chat-uploads")
                : Path.of(properties.spoolDir());
        try {
            return Files.createDirectories(dir.toAbsolutePath().normalize());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot create the upload spool folder " + dir, ex);
        }
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
                        slot -> receive(channelId, request),
                        slot -> limits.giveBack(grant.guestId(), slot)))
                .doOnNext(metrics::stored)
                .doOnError(metrics::rejected)
                // A client that closes the connection mid-body may reach us as a cancel rather than
                // an error (which comes first is a race in the server): it aborted all the same.
                .doOnCancel(() -> metrics.rejected(UploadRejection.aborted()));
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
     * Parses the whole body: the first part named {@code file} is spooled, every other part is
     * skipped. Only once the body has ended well is the file stored and recorded. Nothing here
     * cancels the parser mid-body (see {@link Intake}).
     */
    private Mono<UploadedFile> receive(String channelId, ServerHttpRequest request) {
        return Mono.usingWhen(Mono.fromSupplier(() -> new Attempt(new Intake(maxBytes, maxBytes + MULTIPART_OVERHEAD,
                                properties.idleTimeout(), UploadLimits.MAX_BODY_DURATION))),
                        attempt -> parse(request, attempt)
                                .then(Mono.defer(attempt::outcome))
                                .onErrorMap(ex -> explain(ex, channelId, attempt))
                                .flatMap(spooled -> keep(channelId, spooled)),
                        Attempt::cleanUp)
                .contextWrite(Context.of(ON_ERROR_DROPPED, QUIETLY_DROPPED));
    }

    private Mono<Void> parse(ServerHttpRequest request, Attempt attempt) {
        return parts.read(PART_EVENT, attempt.intake.guard(request), Map.of())
                .windowUntil(PartEvent::isLast)
                .concatMap(part -> part.switchOnFirst((first, events) -> part(first.get(), events, attempt)))
                .then();
    }

    private Publisher<Void> part(PartEvent first, Flux<PartEvent> events, Attempt attempt) {
        if (first == null) {
            // An empty window: pass its completion or error on.
            return events.then();
        }
        if (!FILE_PART.equals(first.name()) || first instanceof FormPartEvent || !attempt.takeFile()) {
            return skip(events);
        }
        String name = FileNames.clean(first instanceof FilePartEvent file ? file.filename() : null);
        return spool(name, events, attempt);
    }

    private static Mono<Void> skip(Flux<PartEvent> events) {
        return events.doOnNext(event -> DataBufferUtils.release(event.content()))
                .then();
    }

    /**
     * Writes the file's content to a new spool file as it arrives. A failure is kept in
     * {@code attempt}, never passed on: the body's own failure, if any, comes through the parser.
     */
    private Mono<Void> spool(String name, Flux<PartEvent> events, Attempt attempt) {
        Flux<DataBuffer> content = attempt.intake.countFile(events.map(PartEvent::content));
        return Mono.fromCallable(() -> attempt.openSpool(spoolDir))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorResume(ex -> {
                    attempt.failed(spoolFailure(ex));
                    return skip(events).then(Mono.<AsynchronousFileChannel>empty());
                })
                .flatMapMany(file -> DataBufferUtils.write(content, file))
                .doOnNext(DataBufferUtils::release)
                .then(Mono.fromRunnable(() -> attempt.spooled(name)))
                .onErrorResume(ex -> {
                    attempt.failed(ex);
                    return Mono.empty();
                })
                .then();
    }

    /** Holds room in the channel's quota for the whole file, stores it, records it, lets the hold go. */
    private Mono<UploadedFile> keep(String channelId, Spooled spooled) {
        return Mono.usingWhen(limits.reserve(channelId, spooled.size()),
                hold -> store(channelId, spooled)
                        .flatMap(file -> record(channelId, file)),
                hold -> limits.release(channelId, hold));
    }

    /** Sniffs the spool file's first bytes and puts it in the store under a new key, off the event loop. */
    private Mono<UploadedFile> store(String channelId, Spooled spooled) {
        String fileId = RandomIds.next();
        String key = FileKeys.key(channelId, fileId);
        return Mono.fromCallable(() -> sniff(spooled.path()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(contentType -> Mono.using(() -> Files.newInputStream(spooled.path()),
                                input -> store.put(key, input, spooled.size(), new FileStore.FileMeta(spooled.name(), contentType)),
                                UploadService::closeQuietly)
                        .map(size -> new UploadedFile(fileId, spooled.name(), size, contentType,
                                links.create(channelId, fileId))))
                .onErrorMap(FileStore.StorageException.class, ex -> {
                    log.warn("upload {} to channel {} failed in storage: {}", fileId, channelId,
                            MinioFileStore.rootCause(ex));
                    return UploadRejection.storageUnavailable();
                });
    }

    private static String sniff(Path file) throws IOException {
        try (InputStream input = new BufferedInputStream(Files.newInputStream(file), ContentSniffer.HEAD_BYTES)) {
            return ContentSniffer.sniff(input.readNBytes(ContentSniffer.HEAD_BYTES));
        }
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

    private Throwable spoolFailure(Throwable ex) {
        log.warn("cannot write an upload to the spool folder {}: {}", spoolDir, MinioFileStore.rootCause(ex));
        return UploadRejection.storageUnavailable();
    }

    /** What a failed body means for the client: a limit, a stall, a client gone, a broken body. */
    private Throwable explain(Throwable ex, String channelId, Attempt attempt) {
        Intake intake = attempt.intake;
        if (intake.tooLarge()) {
            return UploadRejection.tooLarge(maxBytes);
        }
        if (intake.tooSlow()) {
            log.debug("upload to channel {} abandoned: still arriving after {}", channelId, UploadLimits.MAX_BODY_DURATION);
            return UploadRejection.tooSlow();
        }
        if (ex instanceof TimeoutException) {
            log.debug("upload to channel {} abandoned: nothing sent for {}", channelId, properties.idleTimeout());
            return UploadRejection.idle(properties.idleTimeout().toSeconds());
        }
        if (clientGone(ex)) {
            log.debug("upload to channel {} aborted by the client after {} file bytes", channelId, intake.fileBytes());
            return UploadRejection.aborted();
        }
        if (ex instanceof UploadRejection) {
            return ex;
        }
        if (ex instanceof DecodingException || ex instanceof DataBufferLimitException) {
            return UploadRejection.malformed("the multipart body is malformed or ended early");
        }
        return ex;
    }

    /** Whether the connection closed under the body: the client left, not a server error. */
    private static boolean clientGone(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof AbortedException || cause instanceof ClosedChannelException
                    || AbortedException.isConnectionReset(cause)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(InputStream input) {
        try {
            input.close();
        }
        catch (IOException ex) {
            // a spool file that is read to the end or deleted anyway
        }
    }

    /** A file that arrived whole: where it waits, its size and its clean name. */
    private record Spooled(Path path, long size, String name) {
    }

    /**
     * One request's progress: whether its file part was seen, where it is spooled, and why it
     * failed. Parts are handled one after another ({@code concatMap}); fields are volatile because
     * file I/O completes on other threads.
     */
    private static final class Attempt {

        final Intake intake;
        private volatile boolean fileTaken;
        private volatile Path path;
        private volatile AsynchronousFileChannel channel;
        private volatile Spooled spooled;
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

        /** Creates and opens the spool file; blocking, so called on a worker. */
        AsynchronousFileChannel openSpool(Path dir) throws IOException {
            path = Files.createTempFile(dir, "upload-", ".part");
            channel = AsynchronousFileChannel.open(path, StandardOpenOption.WRITE);
            return channel;
        }

        void spooled(String name) {
            this.spooled = new Spooled(path, intake.fileBytes(), name);
        }

        void failed(Throwable failure) {
            this.failure = failure;
        }

        /** After the whole body: the spooled file, why there is none, or that there was no file part. */
        Mono<Spooled> outcome() {
            if (intake.tooLarge()) {
                // The last buffers were over the limit and the body ended with them; explained as 413.
                return Mono.error(new Intake.Refused("the upload is over the limit"));
            }
            if (failure != null) {
                return Mono.error(failure);
            }
            return spooled != null ? Mono.just(spooled) : Mono.error(UploadRejection.noFile());
        }

        /** Closes and deletes the spool file, on completion, error and cancel alike. */
        Mono<Void> cleanUp() {
            return Mono.fromRunnable(this::deleteSpool)
                    .subscribeOn(Schedulers.boundedElastic())
                    .then();
        }

        private void deleteSpool() {
            try {
                if (channel != null) {
                    channel.close();
                }
                if (path != null) {
                    Files.deleteIfExists(path);
                }
            }
            catch (IOException ex) {
                log.warn("cannot delete the spool file {}: {}", path, ex.toString());
            }
        }
    }
}
