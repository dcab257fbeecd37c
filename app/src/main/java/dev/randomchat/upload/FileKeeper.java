package dev.randomchat.upload;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelService;
import dev.randomchat.system.RandomIds;
import dev.randomchat.upload.MultipartSpool.Spooled;

/**
 * Keeps a file that arrived whole: holds room for its size in the channel's quota
 * ({@link UploadLimits}), sniffs its type, puts it in the {@link FileStore} under a new key with a
 * signed link ({@link FileLinks}), records it in the channel, then lets the hold go. A file the
 * channel can no longer take (it ended meanwhile) is deleted from the store again.
 */
@Component
class FileKeeper {

    private static final Logger log = LoggerFactory.getLogger(FileKeeper.class);

    private final FileStore store;
    private final ChannelService channels;
    private final FileLinks links;
    private final JsonMapper json;
    private final UploadLimits limits;

    FileKeeper(FileStore store, ChannelService channels, FileLinks links, JsonMapper json, UploadLimits limits) {
        this.store = store;
        this.channels = channels;
        this.links = links;
        this.json = json;
        this.limits = limits;
    }

    /** Holds room in the channel's quota for the whole file, stores it, records it, lets the hold go. */
    Mono<UploadedFile> keep(String channelId, Spooled spooled) {
        String fileId = RandomIds.next();
        return Mono.usingWhen(limits.reserve(channelId, spooled.size(), fileId),
                hold -> store(channelId, fileId, spooled)
                        .flatMap(file -> record(channelId, file)),
                hold -> limits.release(channelId, hold));
    }

    /** Sniffs the spool file's first bytes and puts it in the store under a new key, off the event loop. */
    private Mono<UploadedFile> store(String channelId, String fileId, Spooled spooled) {
        String key = FileKeys.key(channelId, fileId);
        return Mono.fromCallable(() -> sniff(spooled.path()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(contentType -> Mono.using(() -> Files.newInputStream(spooled.path()),
                                input -> store.put(key, input, spooled.size(), new FileStore.FileMeta(spooled.name(), contentType)),
                                FileKeeper::closeQuietly)
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

    private static void closeQuietly(InputStream input) {
        try {
            input.close();
        }
        catch (IOException ex) {
            // a spool file that is read to the end or deleted anyway
        }
    }
}
