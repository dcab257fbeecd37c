package dev.randomchat.auth;

import java.time.Instant;

/** What a verified channel token allows: this guest, in this channel, until then. */
public record ChannelGrant(String guestId, String channelId, Instant expiresAt) {
}
