package dev.randomchat.chat;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.protocol.Outbound;

/** What read.lua saw: a channel's state, and the messages after the requested seq. */
record ChannelState(String status, long lastSeq, long firstSeq, String a, String aName, String b, String bName,
        List<String> commonInterests, long seenByA, long seenByB, boolean peerOnline, List<String> messages) {

    static ChannelState parse(JsonMapper json, String reply) {
        String[] lines = reply.split("\n");
        JsonNode header = json.readTree(lines[0]);
        String status = header.get("st").stringValue();
        List<String> messages = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            messages.add(lines[i]);
        }
        if ("gone".equals(status)) {
            return new ChannelState(status, 0, 1, null, null, null, null, List.of(), 0, 0, false, messages);
        }
        String ci = header.get("ci").stringValue();
        return new ChannelState(status,
                header.get("last").longValue(),
                header.get("first").longValue(),
                header.get("a").stringValue(),
                header.get("an").stringValue(),
                header.get("b").stringValue(),
                header.get("bn").stringValue(),
                ci.isEmpty() ? List.of() : List.of(ci.split(",")),
                header.get("sa").longValue(),
                header.get("sb").longValue(),
                header.get("pon").booleanValue(),
                messages);
    }

    boolean open() {
        return "open".equals(status);
    }

    boolean member(String guestId) {
        return guestId.equals(a) || guestId.equals(b);
    }

    Outbound.Peer peerOf(String guestId) {
        return guestId.equals(a) ? new Outbound.Peer(b, bName) : new Outbound.Peer(a, aName);
    }

    /** The highest seq the other guest has reported as seen. */
    long seenByPeerOf(String guestId) {
        return guestId.equals(a) ? seenByB : seenByA;
    }
}
