package dev.randomchat.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.NettyCustomizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Gives the Lettuce client of Boot's Redis auto-configuration our options and builds the
 * {@link Redis} facade features use on Boot's connection factory and string template. Where Redis
 * is comes from {@link RedisConnectionAutoConfiguration}. Boot also provides the {@code redis}
 * health indicator (part of the readiness group); the command metrics are Lettuce's own.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

    /** A command that takes longer than this is failed; Redis answers in microseconds when healthy. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration TIMER_TICK = Duration.ofMillis(500);

    @Bean
    LettuceClientConfigurationBuilderCustomizer redisCommandTimeout() {
        return builder -> builder.commandTimeout(COMMAND_TIMEOUT);
    }

    /**
     * A timer per Redis command type ({@code lettuce.command.completion} and
     * {@code lettuce.command.firstresponse}), recorded by Lettuce as each command completes. Boot's
     * Lettuce observation (excluded in application.yaml) gives the same latencies through an
     * observation per command, which cost about 8% of the server's CPU per pair made and per
     * message relayed (JFR, bench peer-matching): a start, a stop, key values and handlers for
     * every command, on the one thread that reads every Redis reply.
     */
    @Bean
    ClientResourcesBuilderCustomizer redisCommandLatencies(MeterRegistry meters) {
        return builder -> builder.commandLatencyRecorder(
                new MicrometerCommandLatencyRecorder(meters, MicrometerOptions.create()));
    }

    /**
     * Lettuce's timer (each command's timeout, reconnect delays) with a tick of half a second
     * rather than Netty's 100 ms: its thread wakes on every tick whether anything is due or not,
     * ten times a second on an idle server (measured: 10 wake-ups and 0.5-1 ms of CPU a second).
     * A command's {@link #COMMAND_TIMEOUT} of 5 s then fires within half a second of it. Lettuce
     * leaves a timer it was given running; this bean stops it after the client.
     */
    @Bean(destroyMethod = "stop")
    HashedWheelTimer redisTimer() {
        return new HashedWheelTimer(new DefaultThreadFactory("lettuce-timer", true), TIMER_TICK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Bean
    ClientResourcesBuilderCustomizer redisCoarseTimer(HashedWheelTimer redisTimer) {
        return builder -> builder.timer(redisTimer);
    }

    /** Lettuce's connections on Reactor Netty's event loops ({@link SharedEventLoops} says why). */
    @Bean
    ClientResourcesBuilderCustomizer redisOnSocketLoops(ReactorResourceFactory reactor) {
        EventLoopGroup loops = reactor.getLoopResources().onServer(true);
        return builder -> builder.eventLoopGroupProvider(new SharedEventLoops(loops));
    }

    /**
     * One write system call for every command queued meanwhile, not one per command. A command
     * issued on another thread (an event loop serving sockets) reaches Lettuce's event loop as a
     * task that writes and flushes it alone; under load most commands come that way, and JFR of
     * the matching rows found a fifth of the Lettuce thread's CPU in {@code send} calls. Netty's
     * {@link FlushConsolidationHandler} turns a flush into a task behind the ones already queued
     * (or into the end of the read in progress, for commands issued while replies are handled), so
     * the commands of a burst leave in one write. Nothing waits on a timer.
     */
    @Bean
    ClientResourcesBuilderCustomizer redisFlushConsolidation() {
        return builder -> builder.nettyCustomizer(new NettyCustomizer() {
            @Override
            public void afterChannelInitialized(Channel channel) {
                channel.pipeline().addFirst(new FlushConsolidationHandler(
                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            }
        });
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
    Redis redis(LettuceConnectionFactory factory, RedisProperties properties,
            MeterRegistry meters) {
        Redis redis = new Redis(factory, properties.keyPrefix());
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
}
