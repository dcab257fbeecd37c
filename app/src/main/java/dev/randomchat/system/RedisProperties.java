package dev.randomchat.system;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("chat.redis")
public record RedisProperties(
        List<@Pattern(regexp = "[^\\s:]+:\\d{1,5}", message = "REDIS_ADDRS entries must be host:port") String> addrs,
        String password,
        @NotBlank(message = "REDIS_KEY_PREFIX must not be empty") @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "REDIS_KEY_PREFIX may hold letters, digits, _ . -") String keyPrefix,
        @Min(value = 16, message = "REDIS_COMMAND_QUEUE_SIZE must be at least 16") int commandQueueSize,
        @PositiveDuration(message = "REDIS_TOPOLOGY_REFRESH_SECONDS must be positive") Duration topologyRefresh) {

    public RedisProperties {
        addrs = addrs == null ? List.of() : addrs.stream().map(String::trim).filter(a -> !a.isEmpty()).toList();
        password = password == null ? "" : password;
        topologyRefresh = topologyRefresh == null ? Duration.ofSeconds(30) : topologyRefresh;
    }

    public boolean embedded() {
        return addrs.isEmpty();
    }

    public boolean cluster() {
        return addrs.size() > 1;
    }
}
