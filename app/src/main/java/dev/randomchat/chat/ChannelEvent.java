package dev.randomchat.chat;

/**
 * One event on a channel's topic: the string {@code kind|seq|guest|json}, built by the Lua scripts
 * (their shared {@code envelope} snippet) and by {@link #encode()}, parsed only by {@link #parse}.
 * Only the first three {@code |} separate fields: the JSON may hold {@code |}.
 *
 * @param kind what the event is and whom it reaches, below
 * @param seq the message's seq for {@link Kind#MESSAGE}, else 0
 * @param guest the guest the event is from; empty when it is from the server (an expired channel,
 *        a call hung up by the channel's end)
 * @param frame the frame to write to sockets, exactly as clients receive it
 */
record ChannelEvent(Kind kind, long seq, String guest, String frame) {

    enum Kind {
        /** {@code message} ({@code send.lua}): every attached socket, in seq order, gaps read from the log. */
        MESSAGE('m'),
        /**
         * A frame for the other guest's sockets that must not be lost: {@code seen} ({@code seen.lua}),
         * {@code media} and {@code signal} ({@code call/media.lua}); with no guest, for every socket
         * (the hangup {@code leave.lua} sends when a channel with a call ends).
         */
        TO_PEER('s'),
        /** {@code typing} ({@link ChannelFrames#typing}, published from Java): the other guest's sockets; droppable. */
        TYPING('t'),
        /** {@code presence} ({@code enter.lua}, {@code read.lua}, {@code presence.lua}): the other guest's sockets; droppable. */
        PRESENCE('o'),
        /**
         * {@code ended} ({@code leave.lua}; an expired channel's is made locally, never published):
         * every attached socket, which is then detached.
         */
        ENDED('e');

        private final char letter;

        Kind(char letter) {
            this.letter = letter;
        }

        static Kind of(char letter) {
            for (Kind kind : values()) {
                if (kind.letter == letter) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown event kind " + letter);
        }
    }

    /** Reads an event off a topic; {@link IllegalArgumentException} when it is not one. */
    static ChannelEvent parse(String event) {
        int first = event.indexOf('|');
        int second = event.indexOf('|', first + 1);
        int third = event.indexOf('|', second + 1);
        if (first != 1 || second < 0 || third < 0) {
            throw new IllegalArgumentException("not a channel event");
        }
        return new ChannelEvent(Kind.of(event.charAt(0)), Long.parseLong(event, first + 1, second, 10),
                event.substring(second + 1, third), event.substring(third + 1));
    }

    String encode() {
        return kind.letter + "|" + seq + "|" + guest + "|" + frame;
    }

    /** Whether this event is for a socket of {@code guestId}: not when it is the guest's own peer-bound event. */
    boolean isFor(String guestId) {
        return kind == Kind.MESSAGE || kind == Kind.ENDED || !guest.equals(guestId);
    }
}
