package dev.randomchat.chat;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;

/**
 * When a guest of a channel will have been away long enough to end it ({@code PEER_GONE_SECONDS}):
 * one sorted set for every server, written when a guest's last socket goes (or its server's
 * presence lapses) and taken atomically when due, so each deadline is checked by one server.
 * A deadline is only a time to look: the check itself (leave.lua) ends nothing for a guest that
 * came back.
 */
@Component
class GoneDeadlines {

    private static final LuaScript CLAIM = LuaScript.load(GoneDeadlines.class, "gone-claim.lua");

    private final Redis redis;
    private final String key;

    GoneDeadlines(Redis redis) {
        this.redis = redis;
        this.key = redis.key("{gone}", "due");
    }

    /** One deadline: the guest of the channel to check, and the dead server whose entries are stale ("" none). */
    record Deadline(String channelId, String guestId, String deadServer) {

        String member() {
            return channelId + "|" + guestId + "|" + deadServer;
        }

        static Deadline parse(String member) {
            String[] parts = member.split("\\|", -1);
            return new Deadline(parts[0], parts[1], parts.length > 2 ? parts[2] : "");
        }
    }

    /** Checks the guest at {@code dueMs} (Redis time), replacing any earlier deadline for the same guest and source. */
    Mono<Void> schedule(Deadline deadline, long dueMs) {
        return Mono.defer(() -> redis.commands().zadd(key, (double) dueMs, deadline.member())).then();
    }

    /** Takes up to {@code limit} due deadlines; no other server gets them. */
    Flux<Deadline> claimDue(int limit) {
        return redis.run(CLAIM, List.of(key), Integer.toString(limit))
                .flatMapIterable(text -> text.isEmpty() ? List.<String>of() : List.of(text.split("\n")))
                .map(Deadline::parse);
    }
}
