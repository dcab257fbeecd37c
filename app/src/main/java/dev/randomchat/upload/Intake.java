package dev.randomchat.upload;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * One upload's request body on its way to the spool file, and the limits it must keep.
 *
 * <p>Bytes are counted where they arrive, on the connection's event loop: the raw body (file,
 * multipart framing and any other part) against {@code maxBodyBytes}, the file part's content
 * against {@code maxFileBytes}. Past either limit, the raw body fails with its next buffer, which
 * cancels the request body: nothing more is read. So does a body that sends nothing for
 * {@code idle} (a {@link TimeoutException}), and one still arriving after {@code maxDuration}.
 *
 * <p>Only the raw body, upstream of the multipart parser, ever fails or cancels the stream: a
 * cancel sent up through Spring's {@code MultipartParser} while it is handing out a part's last
 * buffers, or from another thread, makes it release buffers it no longer owns. Past the file limit
 * the file's buffers are dropped instead, and the flag tells the outcome.
 */
final class Intake {

    private final long maxFileBytes;
    private final long maxBodyBytes;
    private final Duration idle;
    private final long deadline;
    // Each counter is touched only by its stream's signals, which Reactive Streams serialises.
    private long bodyBytes;
    private volatile long fileBytes;
    private volatile boolean tooLarge;
    private volatile boolean tooSlow;

    Intake(long maxFileBytes, long maxBodyBytes, Duration idle, Duration maxDuration) {
        this.maxFileBytes = maxFileBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.idle = idle;
        this.deadline = System.nanoTime() + maxDuration.toNanos();
    }

    /** The request, with a body that fails once it passes a limit, stalls for {@code idle}, or runs late. */
    ServerHttpRequest guard(ServerHttpRequest request) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody()
                        .timeout(idle)
                        .handle(Intake.this::countBody);
            }
        };
    }

    /** The file part's content, counted; buffers past {@code maxFileBytes} are dropped (see the class comment). */
    Flux<DataBuffer> countFile(Flux<DataBuffer> content) {
        return content.handle(this::countFile);
    }

    /** The file's size so far. */
    long fileBytes() {
        return fileBytes;
    }

    /** Whether the body or the file passed its limit. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** Whether the body was still arriving at its deadline. */
    boolean tooSlow() {
        return tooSlow;
    }

    private void countBody(DataBuffer buffer, SynchronousSink<DataBuffer> sink) {
        bodyBytes += buffer.readableByteCount();
        if (tooLarge || bodyBytes > maxBodyBytes) {
            tooLarge = true;
            DataBufferUtils.release(buffer);
            sink.error(new Refused("the upload is over the limit"));
        }
        else if (System.nanoTime() - deadline > 0) {
            tooSlow = true;
            DataBufferUtils.release(buffer);
            sink.error(new Refused("the upload took too long"));
        }
        else {
            sink.next(buffer);
        }
    }

    private void countFile(DataBuffer buffer, SynchronousSink<DataBuffer> sink) {
        long size = fileBytes + buffer.readableByteCount();
        if (size > maxFileBytes) {
            // Dropped, not failed (see the class comment); the body fails with its next buffer.
            tooLarge = true;
            DataBufferUtils.release(buffer);
        }
        else {
            fileBytes = size;
            sink.next(buffer);
        }
    }

    /** A limit was passed; carries no stack trace, the flags say it all. */
    static final class Refused extends RuntimeException {

        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
