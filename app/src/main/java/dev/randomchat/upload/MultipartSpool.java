package dev.randomchat.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.channel.AbortedException;
import reactor.util.context.Context;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * An upload's multipart body, taken onto disk. The body is parsed into {@link PartEvent}s
 * ({@link PartEventHttpMessageReader}), which hand over each part's content as the request's own
 * buffers arrive; the first part named {@code file} is written to a new spool file in the spool
 * folder with asynchronous file I/O, every other part is skipped. The file part's buffers are
 * counted ({@link Intake}): once the file passes {@code MAX_UPLOAD_BYTES}, the body fails with the
 * next buffer that arrives, which cancels it (Reactor Netty then closes the connection). A failed
 * body is explained as the {@link UploadRejection} the client gets.
 *
 * <p>Owns its spool files: each lives only while the caller's step runs on it, and is closed and
 * deleted whatever ends the request (an answer, an error, the client leaving).
 */
@Component
class MultipartSpool {

    private static final Logger log = LoggerFactory.getLogger(MultipartSpool.class);

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

    private final long maxBytes;
    private final Duration idleTimeout;
    private final Path spoolDir;
    private final PartEventHttpMessageReader parts = new PartEventHttpMessageReader();

    MultipartSpool(UploadProperties properties) {
        this.maxBytes = properties.maxUploadBytes();
        this.idleTimeout = properties.idleTimeout();
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

    /**
     * Parses the whole body, then hands the spooled file to {@code keep}; the spool file is deleted
     * once that is done. Nothing here cancels the parser mid-body (see {@link Intake}).
     */
    <T> Mono<T> receive(String channelId, ServerHttpRequest request, Function<Spooled, Mono<T>> keep) {
        return Mono.usingWhen(Mono.fromSupplier(() -> new Attempt(new Intake(maxBytes, maxBytes + MULTIPART_OVERHEAD,
                                idleTimeout, UploadLimits.MAX_BODY_DURATION))),
                        attempt -> parse(request, attempt)
                                .then(Mono.defer(attempt::outcome))
                                .onErrorMap(ex -> explain(ex, channelId, attempt))
                                .flatMap(keep),
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
            log.debug("upload to channel {} abandoned: nothing sent for {}", channelId, idleTimeout);
            return UploadRejection.idle(idleTimeout.toSeconds());
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

    /** A file that arrived whole: where it waits, its size and its clean name. */
    record Spooled(Path path, long size, String name) {
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
