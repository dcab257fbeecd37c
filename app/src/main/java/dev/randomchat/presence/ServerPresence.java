package dev.randomchat.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;
import dev.randomchat.system.Ticks;

/**
 * Which guests are online, kept per server: one heartbeat per server, and a set of the guests
 * holding a socket on it, changed only when a guest's first socket here opens or its last one
 * closes, in batches (one script run for every change made within {@link #LINGER} of the first,
 * or while the previous run was under way). Idle sockets cost nothing. A server whose heartbeat lapses (it died) has its guests
 * released by whichever server sees it first, and those guests are handed to the caller of
 * {@link #releaseLapsed}, so features can treat them as gone from that moment.
 */
@Component
public class ServerPresence {

    private static final Logger log = LoggerFactory.getLogger(ServerPresence.class);

    /** A server not heard from for this long is taken for dead (its guests' peers must learn it within 30 s). */
    static final Duration LEASE = Duration.ofSeconds(20);
    /** Beats this often: three chances before the lease lapses. */
    static final Duration BEAT_EVERY = Duration.ofSeconds(5);
    /** The keys vanish this long after the last server stopped beating. */
    private static final long KEY_TTL_MS = Duration.ofDays(1).toMillis();
    /** Lapsed servers looked at per call, and guests released per script run (each a few microseconds). */
    private static final int LAPSED_PER_CALL = 4;
    private static final int RELEASE_CHUNK = 500;
    /** Guests per online.lua run (each a few microseconds of Redis time). */
    private static final int BATCH = 500;
    /**
     * How long a change waits for others when no batch is under way. Without it a batch held one
     * guest whenever sockets came less often than a Redis round trip (400 a second is still one at a
     * time), and each cost a script run and a wake-up of the event loop for its answer (about 25 us
     * of server CPU per socket at 200 pairs/s, bench/RESULTS.md); with it, sockets that come within
     * this window share one run. Nothing waits for the batch but the socket's own bookkeeping.
     */
    static final Duration LINGER = Duration.ofMillis(20);

    private static final LuaScript HEARTBEAT = LuaScript.load(ServerPresence.class, "heartbeat.lua");
    private static final LuaScript ONLINE = LuaScript.load(ServerPresence.class, "online.lua");
    private static final LuaScript LAPSED = LuaScript.load(ServerPresence.class, "lapsed.lua");
    private static final LuaScript RELEASE = LuaScript.load(ServerPresence.class, "release.lua");

    private final Redis redis;
    private final String serverId;
    private final String servers;
    private final String online;
    /** Open sockets per guest on this server; a guest appears in Redis while its count is above 0. */
    private final Map<String, Integer> sockets = new ConcurrentHashMap<>();
    /** Guests whose first socket here opened or last one closed since the last batch was taken. */
    private final Set<String> pending = new LinkedHashSet<>();
    /**
     * Completes when the batch that takes the last of {@link #pending} is done. A future, not a
     * sink: thousands of sockets closing at once all wait on it, and a multicast sink copies its
     * array of subscribers at each one that joins (bench/RESULTS.md, "Presence waiters").
     */
    private CompletableFuture<Void> pendingDone = new CompletableFuture<>();
    /** A batch is under way (and the one that ends it sends the next). */
    private boolean sending;
    /** What features redo once this server's guests were registered again (after it was taken for dead). */
    private final List<Supplier<Mono<Void>>> registeredAgain = new CopyOnWriteArrayList<>();

    ServerPresence(Redis redis, ServerId serverId) {
        this.redis = redis;
        this.serverId = serverId.value();
        this.servers = redis.key("{p}", "servers");
        this.online = redis.key("{p}", "online");
    }

    /** Guests of a server that died, and when its presence lapsed (ms, Redis time). */
    public record Lapsed(String serverId, long lapsedAtMs, List<String> guests) {
    }

    /**
     * Runs {@code action} whenever this server had been taken for dead (its heartbeat lapsed, so
     * other servers released its guests) and has registered its guests again.
     */
    public void onRegisteredAgain(Supplier<Mono<Void>> action) {
        registeredAgain.add(action);
    }

    /** A socket of this guest opened here. */
    public Mono<Void> opened(String guestId) {
        int now = sockets.merge(guestId, 1, Integer::sum);
        return now == 1 ? changed(List.of(guestId)) : Mono.empty();
    }

    /** A socket of this guest here closed. */
    public Mono<Void> closed(String guestId) {
        Integer left = sockets.computeIfPresent(guestId, (id, count) -> count <= 1 ? null : count - 1);
        return left == null ? changed(List.of(guestId)) : Mono.empty();
    }

    /**
     * These guests' first socket here opened or last one closed: Redis is told in the next batch,
     * which starts {@link #LINGER} from now when none is under way. Emits when a batch that holds
     * them is done.
     */
    private Mono<Void> changed(List<String> guestIds) {
        CompletableFuture<Void> done;
        boolean start;
        synchronized (this) {
            pending.addAll(guestIds);
            done = pendingDone;
            start = !sending;
            sending = true;
        }
        if (start) {
            Schedulers.parallel().schedule(this::sendNext, LINGER.toMillis(), TimeUnit.MILLISECONDS);
        }
        // A caller that stops waiting (its socket's cleanup cancelled) leaves the batch to the others.
        return Mono.fromFuture(done, true);
    }

    /**
     * Sends the guests changed since the last batch, with where each stands now (its local count
     * is read here, so a guest that came and went meanwhile is sent as it is at this moment), and
     * goes on until nothing is pending. One batch at a time keeps the order of a guest's changes;
     * under load the changes of many sockets share a script call.
     */
    private void sendNext() {
        List<String> batch;
        CompletableFuture<Void> done;
        synchronized (this) {
            if (pending.isEmpty()) {
                sending = false;
                return;
            }
            batch = new ArrayList<>(Math.min(pending.size(), BATCH));
            var guests = pending.iterator();
            while (guests.hasNext() && batch.size() < BATCH) {
                batch.add(guests.next());
                guests.remove();
            }
            // The callers of what is left wait for the batch that empties the set.
            done = pending.isEmpty() ? pendingDone : null;
            if (done != null) {
                pendingDone = new CompletableFuture<>();
            }
        }
        String[] args = new String[batch.size() + 1];
        args[0] = Long.toString(KEY_TTL_MS);
        for (int i = 0; i < batch.size(); i++) {
            String guest = batch.get(i);
            args[i + 1] = (sockets.containsKey(guest) ? "+" : "-") + guest;
        }
        redis.run(ONLINE, List.of(guestsOf(serverId), online), args)
                .subscribe(null, ex -> batchDone(done, ex), () -> batchDone(done, null));
    }

    /** A batch ended ({@code error} null: it succeeded): tell its callers, if it was theirs, and go on. */
    private void batchDone(CompletableFuture<Void> done, Throwable error) {
        if (done != null) {
            if (error == null) {
                done.complete(null);
            }
            else {
                done.completeExceptionally(error);
            }
        }
        sendNext();
    }

    /** Guests with a socket open on any server. */
    public Mono<Long> onlineCount() {
        return Mono.defer(() -> redis.commands().hlen(online));
    }

    @Autowired
    void beatOn(Ticks ticks) {
        ticks.every("presence heartbeat", Duration.ZERO, BEAT_EVERY, this::beat);
    }

    Mono<Void> beat() {
        return redis.run(HEARTBEAT, List.of(servers, guestsOf(serverId), online), serverId,
                        Long.toString(LEASE.toMillis()), Long.toString(KEY_TTL_MS))
                .flatMap(result -> "new".equals(result) ? registerAll() : Mono.empty())
                .onErrorResume(ex -> {
                    log.warn("presence heartbeat failed: {}", ex.toString());
                    return Mono.empty();
                });
    }

    /** This server was unknown (its first beat, or others took it for dead): register its guests again. */
    private Mono<Void> registerAll() {
        List<String> guests = new ArrayList<>(sockets.keySet());
        if (!guests.isEmpty()) {
            log.info("registering {} guests online here again", guests.size());
        }
        return (guests.isEmpty() ? Mono.<Void>empty() : changed(guests))
                .thenMany(Flux.fromIterable(registeredAgain).concatMap(Supplier::get))
                .then();
    }

    /**
     * Releases the guests of servers whose heartbeat lapsed, a chunk at a time; each guest is
     * released by exactly one server. Emits one {@link Lapsed} per chunk taken here.
     */
    public Flux<Lapsed> releaseLapsed() {
        return redis.run(LAPSED, List.of(servers), Integer.toString(LAPSED_PER_CALL))
                .flatMapIterable(ServerPresence::lines)
                .concatMap(line -> {
                    int bar = line.lastIndexOf('|');
                    String server = line.substring(0, bar);
                    long lapsedAt = (long) Double.parseDouble(line.substring(bar + 1));
                    return release(server, lapsedAt);
                });
    }

    private Flux<Lapsed> release(String server, long lapsedAt) {
        return redis.run(RELEASE, List.of(servers, guestsOf(server), online), server, Integer.toString(RELEASE_CHUNK))
                .defaultIfEmpty("")
                .filter(taken -> !taken.isEmpty())
                .map(taken -> new Lapsed(server, lapsedAt, List.of(taken.split(","))))
                .doOnNext(lapsed -> log.info("server {} stopped beating; released {} of its guests", server,
                        lapsed.guests().size()))
                .flux();
    }

    private String guestsOf(String server) {
        return redis.key("{p}", "guests", server);
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
