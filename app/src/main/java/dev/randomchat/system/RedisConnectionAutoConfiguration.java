package dev.randomchat.system;

import java.io.IOException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;

/**
 * Where Boot's Redis connection factory connects: the Redis of {@code REDIS_ADDRS}, or one this
 * server starts when it is empty. An auto-configuration (listed in
 * {@code META-INF/spring/...AutoConfiguration.imports}) so that it steps aside, embedded Redis
 * included, when other connection details are present, e.g. those a test's
 * {@code @ServiceConnection} container registers.
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnMissingBean(DataRedisConnectionDetails.class)
class RedisConnectionAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RedisConnectionAutoConfiguration.class);

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
     * The embedded Redis (which this bean depends on, so it runs before the factory dials), one
     * server, or the seeds of a Cluster. It stands in for Boot's {@code spring.data.redis.*}
     * properties because one variable, {@code REDIS_ADDRS}, says both where Redis is and whether
     * it is a Cluster.
     */
    @Bean
    DataRedisConnectionDetails redisConnectionDetails(RedisProperties properties, EmbeddedRedis embedded) {
        if (embedded.process() != null) {
            return new RedisAddresses(List.of(embedded.process().address()), embedded.process().password());
        }
        log.info("Redis {} at {}", properties.cluster() ? "Cluster" : "server", properties.addrs());
        return new RedisAddresses(properties.addrs(), properties.password());
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
