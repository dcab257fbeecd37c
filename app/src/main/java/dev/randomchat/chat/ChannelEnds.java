package dev.randomchat.chat;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.randomchat.chat.ChannelEndListener.ChannelEnd;

/**
 * Tells every {@link ChannelEndListener} that a channel ended, one after the other in their order.
 * A listener that fails is logged; the others still run.
 *
 * <p>The listeners are looked up once, when every singleton exists (they depend on services that
 * depend on this, so not in the constructor), before the server takes traffic. Looked up at every
 * end, as before, each channel's end walked the bean factory's candidate resolution (qualifiers,
 * generic types, order): work per pair, and code C2 was still compiling in the bench's measured
 * relay steps (PrintCompilation, bench/RESULTS.md).
 */
@Component
class ChannelEnds implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(ChannelEnds.class);

    private final ObjectProvider<ChannelEndListener> provider;
    private volatile List<ChannelEndListener> listeners = List.of();

    ChannelEnds(ObjectProvider<ChannelEndListener> provider) {
        this.provider = provider;
    }

    @Override
    public void afterSingletonsInstantiated() {
        listeners = provider.orderedStream().toList();
    }

    Mono<Void> ended(ChannelEnd end) {
        return Flux.fromIterable(listeners)
                .concatMap(listener -> listener.channelEnded(end)
                        .onErrorResume(ex -> {
                            log.warn("cleanup of ended channel {} failed: {}", end.channelId(), ex.toString());
                            return Mono.empty();
                        }))
                .then();
    }
}
