package dev.randomchat.match;

import java.util.List;

import dev.randomchat.protocol.Outbound;

/** A pair was made: what the servers holding either guest's waiting sockets need to tell them. */
record MatchedEvent(String channelId, Outbound.Peer a, Outbound.Peer b, List<String> commonInterests) {
}
