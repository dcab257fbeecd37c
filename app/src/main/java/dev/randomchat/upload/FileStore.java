package dev.randomchat.upload;

import java.io.InputStream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Where uploaded files live: objects named {@code {channelId}/{fileId}}, each with its display
 * name and sniffed content type. Implementations never block the caller's thread: blocking I/O runs
 * on {@code Schedulers.boundedElastic()}.
 *
 * <p>Any failure of the store itself (unreachable, refused, disk full) is a
 * {@link StorageException}, which the API answers with 503.
 */
interface FileStore {

    /**
     * Stores everything {@code content} yields under {@code key}, reading it on a worker thread.
     * {@code length} is the exact size, or -1 when unknown. Emits the number of bytes stored. On
     * any error nothing is left under {@code key}, as far as the store allows.
     */
    Mono<Long> put(String key, InputStream content, long length, FileMeta meta);

    /** The stored file, or empty when there is no such key. */
    Mono<StoredFile> get(String key);

    /** Deletes one file; nothing when it is not there. */
    Mono<Void> delete(String key);

    /** Deletes every file of a channel (the {@code {channelId}/} prefix). */
    Mono<Void> deleteChannel(String channelId);

    /** The channels that have at least one stored file, for the sweep of expired channels. */
    Flux<String> channels();

    /** For the start-up log: which store runs, and where. */
    String describe();

    /** What is kept with each file. */
    record FileMeta(String name, String contentType) {
    }

    /** A stored file: its metadata, its exact length, and its bytes (read when subscribed). */
    record StoredFile(FileMeta meta, long length, Flux<DataBuffer> content) {
    }

    /** The store failed (as opposed to the upload being refused). */
    final class StorageException extends RuntimeException {

        StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
