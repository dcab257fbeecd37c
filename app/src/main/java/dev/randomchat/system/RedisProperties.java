package dev.randomchat.system;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where Redis is.
 *
 * @param addrs {@code REDIS_ADDRS}: {@code host:port} nodes; empty starts an embedded Redis,
 *        one node is a standalone server, several are the seeds of a Redis Cluster
 * @param password {@code REDIS_PASSWORD}: sent with AUTH when not empty
 * @param keyPrefix {@code REDIS_KEY_PREFIX}: first segment of every key and topic, so several
 *        deployments (or test runs) can share one Redis
 * @param commandQueueSize bound of Lettuce's per-connection command queue; while Redis is away,
 *        commands are rejected at once rather than buffered without end
 * @param topologyRefresh {@code REDIS_TOPOLOGY_REFRESH_SECONDS}: how often a Cluster client re-reads
 *        the cluster's shape (besides on MOVED/ASK and reconnects); unused on a single server
 */
@ConfigurationProperties("chat.redis")
public record RedisProperties(List<String> addrs, String password, String keyPrefix, int commandQueueSize,
        Duration topologyRefresh) {

    private static final Pattern ADDRESS = Pattern.compile("[^\\s:]+:\\d{1,5}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]+");

    public RedisProperties {
        addrs = addrs == null ? List.of() : addrs.stream().map(String::trim).filter(a -> !a.isEmpty()).toList();
        password = password == null ? "" : password;
        topologyRefresh = topologyRefresh == null ? Duration.ofSeconds(30) : topologyRefresh;
        addrs.forEach(address -> Configured.matches(address, ADDRESS, "REDIS_ADDRS entries", "host:port"));
        Configured.matches(keyPrefix, PREFIX, "REDIS_KEY_PREFIX", "letters, digits, _ . or - (at least one)");
        Configured.atLeast(commandQueueSize, 16, "REDIS_COMMAND_QUEUE_SIZE");
        Configured.positive(topologyRefresh, "REDIS_TOPOLOGY_REFRESH_SECONDS");
    }

    public boolean embedded() {
        return addrs.isEmpty();
    }

    public boolean cluster() {
        return addrs.size() > 1;
    }
}
