package dev.randomchat.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelEndListener.ChannelEnd;

/**
 * Tells every {@link ChannelEndListener} that a channel ended, one after the other in their order.
 * A listener that fails is logged; the others still run.
 */
@Component
class ChannelEnds {

    private static final Logger log = LoggerFactory.getLogger(ChannelEnds.class);

    private final ObjectProvider<ChannelEndListener> listeners;

    ChannelEnds(ObjectProvider<ChannelEndListener> listeners) {
        this.listeners = listeners;
    }

    Mono<Void> ended(ChannelEnd end) {
        return Flux.fromIterable(listeners.orderedStream().toList())
                .concatMap(listener -> listener.channelEnded(end)
                        .onErrorResume(ex -> {
                            log.warn("cleanup of ended channel {} failed: {}", end.channelId(), ex.toString());
                            return Mono.empty();
                        }))
                .then();
    }
}
