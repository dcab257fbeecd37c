package dev.randomchat.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

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
 *
 * <p>A server does not ask Redis every tick: each claim also says how long until the earliest
 * deadline left, and the next claim waits for it, at most {@link #SWEEP}. A deadline this server
 * writes is claimed at its next tick as it was before; one that another server wrote is normally
 * claimed by that server on time, and by this one within {@link #SWEEP} if that server died. An
 * idle server then claims once every {@link #SWEEP} rather than every second.
 */
@Component
class GoneDeadlines {

    private static final LuaScript CLAIM = LuaScript.load(GoneDeadlines.class, "gone-claim.lua");

    /** Longest wait between two claims, for deadlines other servers wrote and could not claim. */
    static final Duration SWEEP = Duration.ofSeconds(5);

    private final Redis redis;
    private final String key;
    /** Counts the deadlines this server wrote: a claim that ran meanwhile may not have seen them. */
    private final AtomicLong written = new AtomicLong();
    /** The {@link System#nanoTime} from which a claim is needed again. */
    private volatile long nextClaimNanos = System.nanoTime();

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
        return Mono.defer(() -> redis.commands().zadd(key, (double) dueMs, deadline.member()))
                .doOnSuccess(added -> {
                    written.incrementAndGet();
                    nextClaimNanos = System.nanoTime();
                })
                .then();
    }

    /** Whether a claim could take anything now (else {@link #claimDue} asks Redis nothing). */
    boolean mayBeDue() {
        return System.nanoTime() - nextClaimNanos >= 0;
    }

    /**
     * Takes up to {@code limit} due deadlines; no other server gets them. Nothing (and no call to
     * Redis) while no deadline can be due ({@link #SWEEP}).
     */
    Flux<Deadline> claimDue(int limit) {
        return Flux.defer(() -> {
            long now = System.nanoTime();
            if (!mayBeDue()) {
                return Flux.empty();
            }
            long writtenBefore = written.get();
            return redis.run(CLAIM, List.of(key), Integer.toString(limit))
                    .flatMapIterable(text -> {
                        String[] lines = text.split("\n");
                        quietFor(Long.parseLong(lines[0]), now, writtenBefore);
                        return List.of(lines).subList(1, lines.length);
                    })
                    .map(Deadline::parse);
        });
    }

    /** After a claim begun at {@code claimedAt}: how long no claim is needed ({@code nextInMs} -1: no deadline left). */
    private void quietFor(long nextInMs, long claimedAt, long writtenBefore) {
        long wait = nextInMs < 0 ? SWEEP.toNanos() : Math.min(SWEEP.toNanos(), Duration.ofMillis(nextInMs).toNanos());
        nextClaimNanos = claimedAt + wait;
        // A deadline written while the claim ran (or while this was set) may be earlier than what
        // the claim saw: claim again at the next tick.
        if (written.get() != writtenBefore) {
            nextClaimNanos = System.nanoTime();
        }
    }
}
