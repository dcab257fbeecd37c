package dev.randomchat.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

/**
 * Lets a socket's writer wait while Netty's outbound buffer is above its high-water mark, so a
 * client that reads slowly backs frames up in the connection's bounded queue (where they are
 * shed, then the socket closed) instead of in Netty's unbounded one.
 */
final class Writability extends ChannelInboundHandlerAdapter {

    private static final String NAME = "rc-writability";

    private volatile Channel channel;
    private Sinks.Empty<Void> waiting;

    /** Watches the Netty channel under {@code session}; {@code channels} holds the server's connections. */
    static Writability of(WebSocketSession session, ChannelGroup channels) {
        Writability writability = new Writability();
        if (session instanceof ReactorNettyWebSocketSession netty) {
            Channel channel = channels.find(netty.getChannelId());
            if (channel != null) {
                channel.pipeline().addLast(NAME, writability);
                writability.channel = channel;
            }
        }
        return writability;
    }

    /** Completes at once while the channel is writable, else when it becomes writable again. */
    Mono<Void> whenWritable() {
        Channel current = channel;
        if (current == null || current.isWritable() || !current.isActive()) {
            return Mono.empty();
        }
        synchronized (this) {
            if (waiting == null) {
                waiting = Sinks.empty();
            }
            Mono<Void> signal = waiting.asMono();
            if (current.isWritable() || !current.isActive()) {
                release();
            }
            return signal;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            synchronized (this) {
                release();
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        synchronized (this) {
            release();
        }
        super.channelInactive(ctx);
    }

    private void release() {
        if (waiting != null) {
            waiting.tryEmitEmpty();
            waiting = null;
        }
    }
}
