package dev.randomchat.upload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelService;

/**
 * A channel's files live as long as the channel's keys: an ended channel's keys are kept through the
 * report window, and so are its files, so that a report made after the end still has its images as
 * evidence (guests' links stop working at the end: {@link DownloadController}). The sweep deletes the
 * files of every channel whose keys are gone. Deleting is idempotent, so every server may do it. A
 * reported channel's files stay while its report lives, and the sweep deletes them after that.
 *
 * <p>The sweep treats every channel prefix in the store whose channel is not open in this
 * deployment's Redis as gone: a bucket or folder must not be shared by deployments with different
 * Redis key prefixes.
 */
@Component
class ChannelFiles {

    private static final Logger log = LoggerFactory.getLogger(ChannelFiles.class);

    private final FileStore store;
    private final ChannelService channels;
    private final EvidenceHolds holds;

    ChannelFiles(FileStore store, ChannelService channels, EvidenceHolds holds) {
        this.store = store;
        this.channels = channels;
        this.holds = holds;
    }

    @Scheduled(fixedDelayString = "${chat.upload.sweep-interval:5m}", initialDelayString = "${chat.upload.sweep-delay:1m}")
    Mono<Void> sweep() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(this::sweepNow);
    }

    private Mono<Void> sweepNow() {
        return store.channels()
                .filterWhen(channelId -> channels.isKept(channelId)
                        .map(kept -> !kept))
                .filterWhen(channelId -> holds.holdsFiles(channelId)
                        .map(held -> !held))
                .concatMap(channelId -> store.deleteChannel(channelId)
                        .doOnSuccess(done -> log.debug("swept the files of ended channel {}", channelId)))
                .then()
                .onErrorResume(ex -> {
                    log.warn("sweep of ended channels' files stopped: {}", MinioFileStore.rootCause(ex));
                    return Mono.empty();
                });
    }
}
