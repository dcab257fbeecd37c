package dev.randomchat.system;

import java.io.IOException;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Connects to the Redis of {@code REDIS_ADDRS}, or starts one of our own when it is empty.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RedisConfiguration.class);

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

    @Bean(destroyMethod = "close")
    Redis redis(RedisProperties properties, EmbeddedRedis embedded, MeterRegistry meters) {
        List<String> addrs = embedded.process() != null ? List.of(embedded.process().address()) : properties.addrs();
        if (!properties.embedded()) {
            log.info("Redis {} at {}", properties.cluster() ? "Cluster" : "server", addrs);
        }
        String password = embedded.process() != null ? embedded.process().password() : properties.password();
        Redis redis = new Redis(addrs, password, properties.keyPrefix(), properties.commandQueueSize(),
                properties.topologyRefresh());
        Counter reconnects = Counter.builder("chat.redis.reconnects")
                .description("Times the connection to Redis came back after an outage")
                .register(meters);
        redis.onReconnect(reconnects::increment);
        return redis;
    }

    @Bean
    ReactiveHealthIndicator redisHealthIndicator(ObjectProvider<Redis> redis) {
        return () -> redis.getObject()
                .ping()
                .map(pong -> Health.up().build())
                .onErrorResume(ex -> Mono.just(Health.down().withDetail("error", ex.getClass().getSimpleName()).build()));
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
