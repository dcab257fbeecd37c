package dev.randomchat.system;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Points Boot's Redis auto-configuration at the Redis of {@code REDIS_ADDRS}, or at one this
 * server starts when it is empty, and gives its Lettuce client our options. Boot then provides
 * the connection factory, the string template, the {@code redis} health indicator (part of the
 * readiness group) and the Lettuce command metrics; {@link Redis} is the facade features use.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RedisConfiguration.class);

    /** A command that takes longer than this is failed; Redis answers in microseconds when healthy. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Present only in embedded mode; closed (and the process stopped) after the client. */
    @Bean(destroyMethod = "close")
    EmbeddedRedis embeddedRedis(RedisProperties properties) throws IOException {
        if (!properties.embedded()) {
            return EmbeddedRedis.NONE;
        }
        // Loopback is not private on a shared machine: the Redis answers only this server.
        RedisProcess process = RedisProcess.startWithPassword(RandomIds.next() + RandomIds.next());
        log.warn("Embedded mode: REDIS_ADDRS is empty, so this server started its own Redis ({}) on {}. "
                + "It holds everything in memory and stops with the server; set REDIS_ADDRS to run "
                + "several servers.", process.origin(), process.address());
        return new EmbeddedRedis(process);
    }

    /**
     * Where Boot's connection factory connects: the embedded Redis (which this bean depends on,
     * so it runs before the factory dials), one server, or the seeds of a Cluster. This replaces
     * Boot's {@code spring.data.redis.*} mapping because one variable, {@code REDIS_ADDRS}, says
     * both where Redis is and whether it is a Cluster.
     */
    @Bean
    DataRedisConnectionDetails redisConnectionDetails(RedisProperties properties, EmbeddedRedis embedded) {
        if (embedded.process() != null) {
            return new RedisAddresses(List.of(embedded.process().address()), embedded.process().password());
        }
        log.info("Redis {} at {}", properties.cluster() ? "Cluster" : "server", properties.addrs());
        return new RedisAddresses(properties.addrs(), properties.password());
    }

    @Bean
    LettuceClientConfigurationBuilderCustomizer redisCommandTimeout() {
        return builder -> builder.commandTimeout(COMMAND_TIMEOUT);
    }

    /**
     * While Redis is away, commands fail at once (bounded queue, rejected when disconnected)
     * instead of piling up, and Lettuce keeps dialling. A Cluster client also re-reads the
     * cluster's shape every {@code REDIS_TOPOLOGY_REFRESH_SECONDS} and on MOVED/ASK and reconnects.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer redisClientOptions(RedisProperties properties) {
        return builder -> {
            builder.autoReconnect(true)
                    .requestQueueSize(properties.commandQueueSize())
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build());
            if (builder instanceof ClusterClientOptions.Builder cluster) {
                cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(properties.topologyRefresh())
                        .build());
            }
        };
    }

    @Bean(destroyMethod = "close")
    Redis redis(LettuceConnectionFactory factory, ReactiveStringRedisTemplate template, RedisProperties properties,
            MeterRegistry meters) {
        Redis redis = new Redis(factory, template, properties.keyPrefix());
        Counter reconnects = Counter.builder("chat.redis.reconnects")
                .description("Times the connection to Redis came back after an outage")
                .register(meters);
        redis.onReconnect(reconnects::increment);
        return redis;
    }

    /**
     * Whether this server's own connections (commands and Pub/Sub) are open, beside Boot's
     * {@code redis} indicator, which asks the server through the factory's shared connection:
     * Boot's may be up (its check dials on its own) a moment before the facade has connected,
     * and readiness must wait for both.
     */
    @Bean
    HealthIndicator redisConnectionsHealthIndicator(Redis redis) {
        return () -> redis.connected() ? Health.up().build() : Health.down().build();
    }

    /** The Redis process of embedded mode, or none. */
    record EmbeddedRedis(RedisProcess process) implements AutoCloseable {

        static final EmbeddedRedis NONE = new EmbeddedRedis(null);

        @Override
        public void close() {
            if (process != null) {
                process.close();
                log.info("Embedded Redis stopped");
            }
        }
    }
}
