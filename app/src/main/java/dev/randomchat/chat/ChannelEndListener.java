package dev.randomchat.chat;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Told when a channel ended (left, blocked, reported, gone or expired), to clean up what belongs
 * to it. Listeners run one after the other in their {@code @Order}; match's {@code Pairings} runs
 * first and frees the pair. A listener's failure is logged and does not stop the others.
 */
public interface ChannelEndListener {

    Mono<Void> channelEnded(ChannelEnd end);

    /**
     * @param channelId the channel that ended
     * @param guests its two guests when one of them ended it; empty when it expired
     * @param blocked whether the guest who ended it blocked the other (no rematch, ever)
     */
    record ChannelEnd(String channelId, List<String> guests, boolean blocked) {

        static ChannelEnd expired(String channelId) {
            return new ChannelEnd(channelId, List.of(), false);
        }
    }
}
