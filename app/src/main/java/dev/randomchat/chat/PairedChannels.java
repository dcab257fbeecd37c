package dev.randomchat.chat;

import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * The channel each guest is paired in. The pairs belong to match (which implements this); the
 * peer-gone watch asks it for the guests of a server that died.
 */
public interface PairedChannels {

    /** The channel of each of these guests that is paired, by guest. */
    Mono<Map<String, String>> currentChannels(List<String> guests);
}
