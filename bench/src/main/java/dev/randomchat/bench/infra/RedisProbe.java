package dev.randomchat.bench.infra;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/** The bench's own line to Redis: command statistics, and the baselines' publisher and subscriber. */
public final class RedisProbe implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private boolean closed;

    public RedisProbe(int port) {
        this.client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", port)
                .withTimeout(Duration.ofSeconds(10))
                .build());
        this.connection = client.connect();
    }

    public RedisClient client() {
        return client;
    }

    /** {@code INFO commandstats} as command -> {calls, usec}. */
    public Map<String, long[]> commandStats() {
        Map<String, long[]> stats = new TreeMap<>();
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            stats.put(name, new long[] {Stats.longAfter(line, "calls="), Stats.longAfter(line, "usec=")});
        }
        return stats;
    }

    /**
     * The number of members of a sorted set; 0 when this node of a Cluster does not hold the key
     * (the node answers MOVED), so that summed over the nodes it counts each member once.
     */
    public long sortedSetSize(String key) {
        try {
            return connection.sync().zcard(key);
        }
        catch (RedisCommandExecutionException ex) {
            if (ex.getMessage() != null && ex.getMessage().startsWith("MOVED")) {
                return 0;
            }
            throw ex;
        }
    }

    /** What happened between two {@link #commandStats} snapshots: command -> {calls, usec}. */
    public static Map<String, long[]> delta(Map<String, long[]> before, Map<String, long[]> after) {
        Map<String, long[]> delta = new TreeMap<>();
        after.forEach((name, now) -> {
            long[] then = before.getOrDefault(name, new long[2]);
            if (now[0] - then[0] > 0) {
                delta.put(name, new long[] {now[0] - then[0], now[1] - then[1]});
            }
        });
        return delta;
    }

    /**
     * One column of {@link #delta} output ({@code 0}: calls, {@code 1}: microseconds inside Redis)
     * divided by {@code units} (messages, pairs), for the commands {@code which} accepts.
     */
    public static Map<String, Double> per(Map<String, long[]> commands, Predicate<String> which, int column,
            double units, int decimals) {
        Map<String, Double> out = new LinkedHashMap<>();
        commands.forEach((name, stat) -> {
            if (which.test(name)) {
                out.put(name, Stats.round(stat[column] / Math.max(1, units), decimals));
            }
        });
        return out;
    }

    /** Closes the connection; again does nothing (a probe is closed before its Redis stops). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
