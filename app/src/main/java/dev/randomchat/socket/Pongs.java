package dev.randomchat.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;

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
        BeforeBridge.add(channel, NAME, new Pongs(connection));
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
