package dev.randomchat.upload;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Callable;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A store whose client blocks (the file system, the MinIO SDK): each call runs its blocking
 * counterpart on {@code boundedElastic}, so no caller's thread ever waits on a disk or a network.
 */
abstract class BlockingFileStore implements FileStore {

    @Override
    public final Mono<Long> put(String key, InputStream content, long length, FileMeta meta) {
        return onWorker(() -> write(key, content, length, meta));
    }

    @Override
    public final Mono<StoredFile> get(String key) {
        return onWorker(() -> find(key));
    }

    @Override
    public final Mono<Void> delete(String key) {
        return onWorker(() -> {
            remove(key);
            return null;
        });
    }

    @Override
    public final Mono<Void> deleteChannel(String channelId) {
        return onWorker(() -> {
            removeChannel(channelId);
            return null;
        });
    }

    @Override
    public final Flux<String> channels() {
        return onWorker(this::listChannels).flatMapMany(Flux::fromIterable);
    }

    /** Stores the content under the key; the number of bytes stored. */
    abstract long write(String key, InputStream content, long length, FileMeta meta) throws IOException;

    /** The file's metadata and length, its bytes read only when subscribed; null when there is no such key. */
    abstract StoredFile find(String key) throws IOException;

    /** Deletes one file; nothing when it is not there. */
    abstract void remove(String key) throws IOException;

    /** Deletes every file of a channel. */
    abstract void removeChannel(String channelId) throws IOException;

    /** The channels with at least one stored file. */
    abstract List<String> listChannels() throws IOException;

    private static <T> Mono<T> onWorker(Callable<T> call) {
        return Mono.fromCallable(call).subscribeOn(Schedulers.boundedElastic());
    }
}
