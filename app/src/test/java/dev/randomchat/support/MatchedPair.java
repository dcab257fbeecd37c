package dev.randomchat.support;

import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Ada and Bob, matched with each other: each has a socket and a channel token. A test may swap a
 * visitor for its reconnected self; closing leaves the channel (if Ada's socket is still open) and
 * closes both sockets.
 */
public final class MatchedPair implements AutoCloseable {

    public Visitor ada;
    public Visitor bob;
    public final String channelId;
    public final String adaToken;
    public final String bobToken;

    private MatchedPair(Visitor ada, Visitor bob, String channelId, String adaToken, String bobToken) {
        this.ada = ada;
        this.bob = bob;
        this.channelId = channelId;
        this.adaToken = adaToken;
        this.bobToken = bobToken;
    }

    /** Ada arrives on {@code first} and waits; Bob arrives on {@code second} and meets her (FIFO). */
    public static MatchedPair match(ChatServer first, ChatServer second) {
        Visitor ada = Visitor.arrive(first, "Ada");
        Visitor bob = Visitor.arrive(second, "Bob");
        ada.send(Map.of("type", "match"));
        ada.await("waiting");
        bob.send(Map.of("type", "match"));
        JsonNode adaMatched = ada.await("matched");
        JsonNode bobMatched = bob.await("matched");
        return new MatchedPair(ada, bob, adaMatched.get("channelId").asString(), adaMatched.get("token").asString(),
                bobMatched.get("token").asString());
    }

    @Override
    public void close() {
        if (!ada.socket().isClosed()) {
            ada.send(Map.of("type", "leave"));
        }
        ada.close();
        bob.close();
    }
}
