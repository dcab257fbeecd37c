package dev.randomchat.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.randomchat.system.RedisProcess;

/**
 * A three-master Redis Cluster on loopback, made of real {@code redis-server} processes joined by
 * {@code redis-cli --cluster create}.
 */
public final class TestRedisCluster implements AutoCloseable {

    /** Joining three empty nodes takes a second or two; a busy machine may need more. */
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);

    private final List<RedisProcess> nodes;

    private TestRedisCluster(List<RedisProcess> nodes) {
        this.nodes = nodes;
    }

    /** Whether this machine can run one: Redis 7 (sharded Pub/Sub) and redis-cli. */
    public static boolean available() {
        return run(List.of("redis-server", "--version")).contains("v=7")
                && !run(List.of("redis-cli", "--version")).isEmpty();
    }

    public static TestRedisCluster start() throws IOException {
        List<RedisProcess> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "5000"));
        }
        TestRedisCluster cluster = new TestRedisCluster(nodes);
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(node -> create.add(node.address()));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String output = run(create);
        if (!output.contains("All 16384 slots covered")) {
            cluster.close();
            throw new IOException("cluster create failed: " + output);
        }
        cluster.awaitState();
        System.out.println("[test infrastructure] Redis Cluster: 3 masters at " + cluster.addresses());
        return cluster;
    }

    public String addresses() {
        return String.join(",", nodes.stream().map(RedisProcess::address).toList());
    }

    public List<RedisProcess> nodes() {
        return nodes;
    }

    /** {@code INFO commandstats} calls of one command, summed over the masters. */
    public long calls(String command) {
        long total = 0;
        for (RedisProcess node : nodes) {
            total += TestRedis.calls(run(List.of("redis-cli", "-p", Integer.toString(node.port()), "info", "commandstats")),
                    command);
        }
        return total;
    }

    private void awaitState() throws IOException {
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = nodes.stream().allMatch(node -> run(List.of("redis-cli", "-p",
                    Integer.toString(node.port()), "cluster", "info")).contains("cluster_state:ok"));
            if (ok) {
                return;
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException(ex);
            }
        }
        throw new IOException("cluster did not reach state ok within " + FORM_TIMEOUT);
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return new String(output, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            return "";
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
