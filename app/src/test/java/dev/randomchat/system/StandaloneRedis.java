package dev.randomchat.system;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A {@link Redis} facade as the server builds it, on a redis-server of its own and two event
 * loops shared with Lettuce, without a Spring context: for tests of the facade itself.
 */
final class StandaloneRedis {

    private EventLoopGroup loops;
    private ClientResources resources;
    private RedisProcess server;
    private LettuceConnectionFactory factory;
    private Redis redis;

    Redis start(String prefix) throws Exception {
        // The transport Lettuce picks for itself: epoll where Netty's native library loads.
        loops = new MultiThreadIoEventLoopGroup(2, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        resources = DefaultClientResources.builder().eventLoopGroupProvider(new SharedEventLoops(loops)).build();
        server = RedisProcess.start(RedisProcess.freePort());
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", server.port()),
                LettuceClientConfiguration.builder().clientResources(resources).build());
        factory.afterPropertiesSet();
        factory.start();
        redis = new Redis(factory, prefix);
        return redis;
    }

    EventLoopGroup loops() {
        return loops;
    }

    /** Stops redis-server and starts a fresh one (empty) on the same port; Lettuce dials again on its own. */
    void restartRedis() throws Exception {
        int port = server.port();
        server.close();
        server = RedisProcess.start(port);
    }

    void stop() throws Exception {
        redis.close();
        factory.destroy();
        resources.shutdown(0, 1, TimeUnit.SECONDS);
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
