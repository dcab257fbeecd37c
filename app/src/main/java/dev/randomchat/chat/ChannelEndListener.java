package dev.randomchat.chat;

import reactor.core.publisher.Mono;

/** Told when a channel ended (left, reported or expired), to clean up what belongs to it. */
public interface ChannelEndListener {

    Mono<Void> channelEnded(String channelId);
}
