package dev.randomchat.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;
import dev.randomchat.system.ServerId;

/**
 * Which guests are online, kept per server: one heartbeat per server, and a set of the guests
 * holding a socket on it, changed only when a guest's first socket here opens or its last one
 * closes. Idle sockets cost nothing. A server whose heartbeat lapses (it died) has its guests
 * released by whichever server sees it first, and those guests are handed to the caller of
 * {@link #releaseLapsed}, so features can treat them as gone from that moment.
 */
@Component
public class ServerPresence {

    private static final Logger log = LoggerFactory.getLogger(ServerPresence.class);

    /** A server not heard from for this long is taken for dead (its guests' peers must learn it within 30 s). */
    static final Duration LEASE = Duration.ofSeconds(20);
    /** Beats this often: three chances before the lease lapses. */
    static final String BEAT_EVERY = "5s";
    /** The keys vanish this long after the last server stopped beating. */
    private static final long KEY_TTL_MS = Duration.ofDays(1).toMillis();
    /** Lapsed servers looked at per call, and guests released per script run (each a few microseconds). */
    private static final int LAPSED_PER_CALL = 4;
    private static final int RELEASE_CHUNK = 500;

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
        return now == 1 ? sync(guestId) : Mono.empty();
    }

    /** A socket of this guest here closed. */
    public Mono<Void> closed(String guestId) {
        Integer left = sockets.computeIfPresent(guestId, (id, count) -> count <= 1 ? null : count - 1);
        return left == null ? sync(guestId) : Mono.empty();
    }

    /**
     * Makes Redis agree with this server about the guest. An "up" and a "down" decided close
     * together may reach Redis in either order, so after each the local count is looked at again
     * and the other one sent if it changed meanwhile.
     */
    private Mono<Void> sync(String guestId) {
        boolean here = sockets.containsKey(guestId);
        return redis.run(ONLINE, List.of(guestsOf(serverId), online), here ? "up" : "down", guestId,
                        Long.toString(KEY_TTL_MS))
                .then(Mono.defer(() -> sockets.containsKey(guestId) == here ? Mono.<Void>empty() : sync(guestId)));
    }

    /** Guests with a socket open on any server. */
    public Mono<Long> onlineCount() {
        return Mono.defer(() -> redis.commands().hlen(online));
    }

    @Scheduled(fixedDelayString = BEAT_EVERY)
    Mono<Void> beat() {
        // Spring calls this once and subscribes to the result on every tick: build it lazily.
        return Mono.defer(this::beatNow);
    }

    private Mono<Void> beatNow() {
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
        return Flux.fromIterable(guests)
                .concatMap(this::sync)
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
