package dev.randomchat.system;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Command connections to a standalone Redis, one on each event loop, so that a command issued
 * while serving a socket goes out on the connection of the socket's own loop.
 *
 * <p>With one connection, a socket on another loop than the connection's costs two thread hops
 * per command: the command is handed to the connection's loop as a task (a wake-up, an
 * {@code eventfd} write), and the reply, handled there, hands each frame for the socket back the
 * same way. On the connection of its own loop the command is written at once, its reply is read on
 * that loop, and what the reply starts (a frame to the socket, the next command) runs there too.
 * {@code strace} of one upgrade and match on 2 loops: four {@code eventfd} writes for the socket's
 * loop after a single ban check.
 *
 * <p>Commands from other threads (timers, the scheduler) use the first connection. A command's
 * order is kept per connection, so per socket; nothing orders two sockets' commands anyway.
 * Lettuce's reconnect may register a connection's new channel on another loop: each connection
 * is asked again where it lives as it comes back, and until then its loop uses the first one.
 * Not used on a Cluster, whose connection opens a connection per node itself, on loops of its own
 * choosing.
 */
final class CommandLanes implements RedisConnectionStateListener, AutoCloseable {

    private static final Duration PROBE_WAIT = Duration.ofSeconds(5);
    private static final int RELEARN_TRIES = 10;
    private static final Duration RELEARN_PAUSE = Duration.ofMillis(200);

    private final RedisClient client;
    private final List<StatefulRedisConnection<String, String>> connections;
    /** The event-loop thread each connection's channel is registered with; null when unknown. */
    private final AtomicReferenceArray<Thread> loops;

    private CommandLanes(RedisClient client, List<StatefulRedisConnection<String, String>> connections,
            List<Thread> loops) {
        this.client = client;
        this.connections = List.copyOf(connections);
        this.loops = new AtomicReferenceArray<>(loops.toArray(Thread[]::new));
    }

    /**
     * Opens connections until each of {@code loopCount} event loops has one, beside {@code first}
     * (kept, used off the loops). A connection lands on the loop Netty's group picks next, so a few
     * more tries than loops are allowed; one that lands on a loop already served is closed. Blocks:
     * never call it on an event loop.
     */
    static CommandLanes open(RedisClient client, StatefulRedisConnection<String, String> first, int loopCount) {
        List<StatefulRedisConnection<String, String>> kept = new ArrayList<>(List.of(first));
        List<Thread> threads = new ArrayList<>();
        threads.add(loopOf(first));
        Set<Thread> served = new HashSet<>();
        if (threads.get(0) != null) {
            served.add(threads.get(0));
        }
        try {
            for (int attempt = 0; served.size() < loopCount && attempt < 2 * loopCount; attempt++) {
                StatefulRedisConnection<String, String> connection = client.connect();
                Thread loop = loopOf(connection);
                if (loop != null && served.add(loop)) {
                    kept.add(connection);
                    threads.add(loop);
                }
                else {
                    connection.close();
                }
            }
        }
        catch (RedisException ex) {
            kept.subList(1, kept.size()).forEach(StatefulRedisConnection::close);
            throw ex;
        }
        CommandLanes lanes = new CommandLanes(client, kept, threads);
        client.addListener(lanes);
        return lanes;
    }

    /** The commands of the calling event loop's connection, or the first connection's. */
    RedisClusterAsyncCommands<String, String> forThisThread() {
        Thread current = Thread.currentThread();
        for (int i = 1; i < connections.size(); i++) {
            if (loops.get(i) == current && connections.get(i).isOpen()) {
                return connections.get(i).async();
            }
        }
        return connections.get(0).async();
    }

    /** The event loops a connection is known to live on. */
    Set<Thread> loops() {
        Set<Thread> known = new HashSet<>();
        for (int i = 0; i < loops.length(); i++) {
            if (loops.get(i) != null) {
                known.add(loops.get(i));
            }
        }
        return known;
    }

    /** A connection came back (a new channel, perhaps on another loop): learn where it lives now. */
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        int index = connections.indexOf(connection);
        if (index >= 0) {
            loops.set(index, null);
            learn(index, RELEARN_TRIES);
        }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        int index = connections.indexOf(connection);
        if (index >= 0) {
            loops.set(index, null);
        }
    }

    /**
     * Asks without blocking (this may run on an event loop); a connection that does not take
     * commands yet, just activated, is asked again a little later, a few times.
     */
    private void learn(int index, int triesLeft) {
        whereAnswered(connections.get(index)).whenComplete((loop, error) -> {
            if (loop != null) {
                loops.set(index, loop);
            }
            else if (triesLeft > 1) {
                CompletableFuture.delayedExecutor(RELEARN_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> learn(index, triesLeft - 1));
            }
        });
    }

    /** Whether every connection (the first included) is connected. */
    boolean allOpen() {
        return connections.stream().allMatch(StatefulRedisConnection::isOpen);
    }

    /** Closes every connection but the first, which belongs to the caller. */
    @Override
    public void close() {
        client.removeListener(this);
        connections.subList(1, connections.size()).stream()
                .filter(StatefulRedisConnection::isOpen)
                .forEach(StatefulRedisConnection::close);
    }

    /**
     * The event-loop thread a connection's replies are handled on: where the answer to a PING
     * completes. Null when that cannot be told: the answer came before the callback was attached,
     * which then ran on the asking thread.
     */
    private static CompletableFuture<Thread> whereAnswered(StatefulRedisConnection<String, String> connection) {
        CompletableFuture<Thread> where = new CompletableFuture<>();
        AtomicBoolean attached = new AtomicBoolean();
        connection.async().ping().whenComplete((pong, error) -> {
            Thread thread = Thread.currentThread();
            if (error != null) {
                where.completeExceptionally(error);
            }
            else {
                where.complete(attached.get() && thread instanceof FastThreadLocalThread ? thread : null);
            }
        });
        attached.set(true);
        return where;
    }

    private static Thread loopOf(StatefulRedisConnection<String, String> connection) {
        try {
            return whereAnswered(connection).get(PROBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while opening Redis connections", ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            throw new RedisException("Redis did not answer a PING on a new connection", ex);
        }
    }
}
