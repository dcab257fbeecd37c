package dev.randomchat.upload;

import reactor.core.publisher.Mono;

/**
 * Whether a report holds a channel's files as evidence, so the sweep keeps them past the channel.
 * Reports belong to safety, which implements this.
 */
public interface EvidenceHolds {

    Mono<Boolean> holdsFiles(String channelId);
}
