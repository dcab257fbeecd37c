package dev.randomchat.chat;

import dev.randomchat.system.JsonText;

/**
 * The frames chat builds as JSON text rather than through the mapper: a message is stored and
 * published as one string (send.lua puts its seq between {@link #messageHead} and the tail), and
 * the others are written as they are to many sockets. Every hand-built chat frame is here.
 */
final class ChannelFrames {

    private ChannelFrames() {
    }

    /** A message up to its seq: {@code {"type":"message","channelId":..,"seq":}}. */
    static String messageHead(String channelId) {
        return "{\"type\":\"message\",\"channelId\":" + quote(channelId) + ",\"seq\":";
    }

    /**
     * A text message after its seq. send.lua finds the sender and cmid of stored messages by the
     * order {@code ,"cmid":..,"from":..}: keep it.
     */
    static String textTail(String cmid, String from, String sentAt, String text) {
        return senderPart(cmid, from, sentAt) + ",\"text\":" + quote(text) + "}";
    }

    /** A file message after its seq; {@code file} is the stored metadata object (JSON). */
    static String fileTail(String cmid, String from, String sentAt, String file) {
        return senderPart(cmid, from, sentAt) + ",\"file\":" + file + "}";
    }

    static String ack(String cmid, long seq) {
        return "{\"type\":\"ack\",\"cmid\":" + quote(cmid) + ",\"seq\":" + seq + "}";
    }

    static String typing(String from, boolean active) {
        return "{\"type\":\"typing\",\"from\":" + quote(from) + ",\"active\":" + active + "}";
    }

    static String ended(String channelId, String by, String reason) {
        return "{\"type\":\"ended\",\"channelId\":" + quote(channelId) + ",\"by\":" + quote(by)
                + ",\"reason\":" + quote(reason) + "}";
    }

    private static String senderPart(String cmid, String from, String sentAt) {
        return ",\"cmid\":" + quote(cmid) + ",\"from\":" + quote(from) + ",\"sentAt\":" + quote(sentAt);
    }

    private static String quote(String value) {
        return JsonText.quote(value);
    }
}
