package dev.randomchat.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import reactor.netty.NettyPipeline;

/**
 * Where this server's own handlers go in a socket's pipeline: just before Reactor Netty's bridge,
 * which consumes reads, writability and inactive events without passing them on (at the end when
 * there is no bridge).
 */
final class BeforeBridge {

    private BeforeBridge() {
    }

    static void add(Channel channel, String name, ChannelHandler handler) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
            pipeline.addBefore(NettyPipeline.ReactiveBridge, name, handler);
        }
        else {
            pipeline.addLast(name, handler);
        }
    }
}
