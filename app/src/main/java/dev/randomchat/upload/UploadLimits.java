package dev.randomchat.upload;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.RandomIds;
import dev.randomchat.system.Redis;

/**
 * The limits that hold across servers, kept in Redis: a guest's uploads under way
 * ({@code UPLOADS_IN_FLIGHT}, 429 beyond) and a channel's files and bytes ({@code MAX_CHANNEL_FILES},
 * {@code MAX_CHANNEL_UPLOAD_BYTES}, 413 beyond).
 *
 * <p>A channel's use is what its files hash holds (the files recorded on it), plus room held for
 * uploads being stored right now; the hash lives and expires with the channel, so the quota does
 * too. Room is held only once a body has arrived whole and its size is known, and given back
 * whether the file was recorded or not: an upload that fails or is refused uses up nothing.
 */
@Component
class UploadLimits {

    private static final Logger log = LoggerFactory.getLogger(UploadLimits.class);

    /**
     * The longest a body may take to arrive, however steadily it trickles in: 10 MB at 20 KB/s.
     * A guest's slot is held at most this long plus the idle timeout and {@link #STORE_HOLD}, so a
     * server that dies mid-upload frees its slots by then.
     */
    static final Duration MAX_BODY_DURATION = Duration.ofMinutes(10);
    /** Room is held while a complete file goes to the store and is recorded; a dead server's lapses. */
    static final Duration STORE_HOLD = Duration.ofMinutes(5);

    private static final LuaScript QUOTA = LuaScript.load(UploadLimits.class, "quota.lua");
    private static final LuaScript IN_FLIGHT = LuaScript.load(UploadLimits.class, "in-flight.lua");

    private final Redis redis;
    private final UploadProperties properties;
    private final Duration slotHold;

    UploadLimits(Redis redis, UploadProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.slotHold = MAX_BODY_DURATION.plus(properties.idleTimeout()).plus(STORE_HOLD);
    }

    /** Completes when the channel is open and has room for another file; else 410 or 413. */
    Mono<Void> checkRoom(String channelId) {
        return quota(channelId, "", 0).then();
    }

    /** Holds room for a file of {@code bytes} in the channel; emits the hold's id, for {@link #release}. */
    Mono<String> reserve(String channelId, long bytes, String fileId) {
        // The hold is named by the file's id: once the file is recorded, quota.lua counts it once.
        return quota(channelId, fileId, bytes);
    }

    /** Gives held room back (the file is recorded on the channel by now, or will never be). */
    Mono<Void> release(String channelId, String hold) {
        return forget(Mono.defer(() -> redis.commands().hdel(held(channelId), hold)), "room held in channel " + channelId);
    }

    /** Takes one of the guest's upload slots; emits its id, for {@link #giveBack}; 429 when all are taken. */
    Mono<String> takeSlot(String guestId) {
        String slot = RandomIds.next();
        return redis.run(IN_FLIGHT, List.of(slots(guestId)), slot, Integer.toString(properties.inFlight()),
                        Long.toString(System.currentTimeMillis()), Long.toString(slotHold.toMillis()))
                .flatMap(result -> "ok".equals(result)
                        ? Mono.just(slot)
                        : Mono.error(UploadRejection.tooManyInFlight(properties.inFlight())));
    }

    /** Gives a slot back, however the upload ended. */
    Mono<Void> giveBack(String guestId, String slot) {
        return forget(Mono.defer(() -> redis.commands().hdel(slots(guestId), slot)), "an upload slot of guest " + guestId);
    }

    /**
     * Deletes a slot or a hold. If Redis cannot be reached the entry lapses by itself, so the
     * upload's outcome stands (a stored file must not turn into an error).
     */
    private static Mono<Void> forget(Mono<Long> delete, String what) {
        return delete.then()
                .onErrorResume(ex -> {
                    log.info("could not give back {} ({}); it lapses by itself", what, ex.toString());
                    return Mono.empty();
                });
    }

    private Mono<String> quota(String channelId, String hold, long bytes) {
        List<String> keys = List.of(channelKey(channelId, "meta"), channelKey(channelId, "files"), held(channelId));
        return redis.run(QUOTA, keys, hold, Long.toString(bytes), Integer.toString(properties.maxChannelFiles()),
                        Long.toString(properties.maxChannelBytes()), Long.toString(System.currentTimeMillis()),
                        Long.toString(STORE_HOLD.toMillis()))
                .flatMap(result -> switch (result) {
                    case "ok" -> Mono.just(hold);
                    case "files" -> Mono.error(UploadRejection.channelFilesFull(properties.maxChannelFiles()));
                    case "bytes" -> Mono.error(UploadRejection.channelBytesFull(properties.maxChannelBytes()));
                    default -> Mono.error(UploadRejection.channelClosed());
                });
    }

    /** A key of the channel's, named as the chat feature names them, in the channel's hash slot. */
    private String channelKey(String channelId, String name) {
        return redis.key("ch", "{" + channelId + "}", name);
    }

    private String held(String channelId) {
        return channelKey(channelId, "uploads");
    }

    private String slots(String guestId) {
        return redis.key("uploads", "{" + guestId + "}");
    }
}
