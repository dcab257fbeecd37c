package dev.randomchat.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * One upload's request body on its way to storage, and the limits it must keep.
 *
 * <p>Bytes are counted where they arrive, on the connection's event loop: the raw body (file,
 * multipart framing and any other part) against {@code maxBodyBytes}, the file part's content
 * against {@code maxFileBytes}. Past either limit, the raw body fails with its next buffer, which
 * cancels the request body: nothing more is read. The file's content reaches the store's worker
 * thread as an {@link InputStream} fed by a small bounded queue of request buffers, so a slow store
 * slows the client down instead of filling the heap.
 *
 * <p>Only the raw body, upstream of the multipart parser, ever fails or cancels the stream: a
 * cancel sent up through Spring's {@code MultipartParser} while it is handing out a part's last
 * buffers, or from another thread, makes it release buffers it no longer owns. Past the file limit
 * the file's buffers are dropped instead, and the stream reports the failure to its reader.
 */
final class Intake {

    private final long maxFileBytes;
    private final long maxBodyBytes;
    // Each counter is touched only by its stream's signals, which Reactive Streams serialises.
    private long bodyBytes;
    private long fileBytes;
    private volatile boolean tooLarge;
    private volatile boolean cutShort;

    Intake(long maxFileBytes, long maxBodyBytes) {
        this.maxFileBytes = maxFileBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The request, with a body that fails as soon as it passes {@code maxBodyBytes} or the file passed its limit. */
    ServerHttpRequest guard(ServerHttpRequest request) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody().handle(Intake.this::countBody);
            }
        };
    }

    /**
     * The file part's content as a blocking stream for a worker thread, which fails once the file
     * passed {@code maxFileBytes}; at most {@code queuedBuffers} request buffers wait in it.
     */
    InputStream open(Flux<DataBuffer> content, int queuedBuffers) {
        Completion completion = new Completion();
        Flux<DataBuffer> counted = content
                .<DataBuffer>handle(this::countFile)
                .doOnComplete(completion::done);
        return new Source(DataBufferUtils.subscriberInputStream(counted, queuedBuffers), completion);
    }

    /** Whether the body or the file passed its limit. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** Whether the body failed or ended early (the client went away, or sent a broken body). */
    boolean cutShort() {
        return cutShort && !tooLarge;
    }

    private void countBody(DataBuffer buffer, SynchronousSink<DataBuffer> sink) {
        bodyBytes += buffer.readableByteCount();
        if (tooLarge || bodyBytes > maxBodyBytes) {
            tooLarge = true;
            DataBufferUtils.release(buffer);
            sink.error(new TooLarge());
        }
        else {
            sink.next(buffer);
        }
    }

    private void countFile(DataBuffer buffer, SynchronousSink<DataBuffer> sink) {
        fileBytes += buffer.readableByteCount();
        if (fileBytes > maxFileBytes) {
            // Dropped, not failed (see the class comment); the body fails with its next buffer.
            tooLarge = true;
            DataBufferUtils.release(buffer);
        }
        else {
            sink.next(buffer);
        }
    }

    /** The limit was passed; carries no stack trace, the flag says it all. */
    static final class TooLarge extends RuntimeException {

        TooLarge() {
            super("the upload is over the limit", null, false, false);
        }
    }

    private static final class Completion {

        private volatile boolean done;

        void done() {
            done = true;
        }
    }

    /**
     * The file's bytes for the store. A failed, cancelled or oversized body is an
     * {@link IOException} here, never a clean end of stream, so a store can never keep a truncated
     * file as if it were whole.
     */
    private final class Source extends FilterInputStream {

        private final Completion completion;

        Source(InputStream in, Completion completion) {
            super(in);
            this.completion = completion;
        }

        @Override
        public int read() throws IOException {
            try {
                return checked(super.read());
            }
            catch (IOException | RuntimeException ex) {
                throw failed(ex);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return checked(super.read(buffer, offset, length));
            }
            catch (IOException | RuntimeException ex) {
                throw failed(ex);
            }
        }

        private int checked(int result) throws IOException {
            if (result < 0 && tooLarge) {
                throw new IOException("the upload is over the limit");
            }
            if (result < 0 && !completion.done) {
                cutShort = true;
                throw new IOException("the upload ended before its last byte");
            }
            return result;
        }

        private IOException failed(Exception ex) {
            cutShort = true;
            return ex instanceof IOException io ? io : new IOException("the upload failed: " + ex.getMessage(), ex);
        }
    }
}
