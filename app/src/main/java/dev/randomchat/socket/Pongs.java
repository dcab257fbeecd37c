package dev.randomchat.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import reactor.netty.NettyPipeline;

/**
 * Takes a socket's pongs out of its pipeline before Reactor Netty's bridge: a pong only says the
 * client is there ({@link Connection#heard}), which needs none of the reactive reader. Every
 * idle socket answers a ping each interval, so this is most of what an idle server reads.
 */
final class Pongs extends ChannelInboundHandlerAdapter {

    private static final String NAME = "rc-pongs";

    private final Connection connection;

    private Pongs(Connection connection) {
        this.connection = connection;
    }

    /** Installs the handler on {@code channel} for {@code connection}. */
    static void take(Channel channel, Connection connection) {
        ChannelPipeline pipeline = channel.pipeline();
        Pongs pongs = new Pongs(connection);
        if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
            pipeline.addBefore(NettyPipeline.ReactiveBridge, NAME, pongs);
        }
        else {
            pipeline.addLast(NAME, pongs);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof PongWebSocketFrame pong) {
            connection.heard();
            pong.release();
            return;
        }
        context.fireChannelRead(message);
    }
}
