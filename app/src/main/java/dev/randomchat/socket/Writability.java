package dev.randomchat.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Lets a socket's writer wait while Netty's outbound buffer is above its high-water mark, so a
 * client that reads slowly backs frames up in the connection's bounded queue (where they are
 * shed, then the socket closed) instead of in Netty's unbounded one.
 */
final class Writability extends ChannelInboundHandlerAdapter {

    private static final String NAME = "rc-writability";

    private volatile Channel channel;
    private Sinks.Empty<Void> waiting;

    /**
     * Watches {@code channel} (null: never waits). The handler goes just before Reactor Netty's
     * bridge, which consumes writability and inactive events without passing them on: behind it,
     * a waiting writer would never be woken.
     */
    static Writability of(Channel channel) {
        Writability writability = new Writability();
        if (channel != null) {
            BeforeBridge.add(channel, NAME, writability);
            writability.channel = channel;
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
