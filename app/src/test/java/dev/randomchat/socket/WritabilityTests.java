package dev.randomchat.socket;

import java.util.concurrent.CompletableFuture;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;

class WritabilityTests {

    @Test
    void wakesAWaitingWriterWhenTheChannelDrains() {
        EmbeddedChannel channel = channelWithBridge();
        Writability writability = Writability.of(channel);
        channel.write(Unpooled.wrappedBuffer(new byte[64]));
        assertThat(channel.isWritable()).isFalse();
        CompletableFuture<Void> writable = writability.whenWritable().toFuture();
        assertThat(writable).isNotDone();
        channel.flush();
        channel.runPendingTasks();
        assertThat(writable).isDone();
        channel.finishAndReleaseAll();
    }

    @Test
    void wakesAWaitingWriterWhenTheChannelCloses() {
        EmbeddedChannel channel = channelWithBridge();
        Writability writability = Writability.of(channel);
        channel.write(Unpooled.wrappedBuffer(new byte[64]));
        CompletableFuture<Void> writable = writability.whenWritable().toFuture();
        assertThat(writable).isNotDone();
        channel.close();
        channel.runPendingTasks();
        assertThat(writable).isDone();
    }

    /** Like Reactor Netty's bridge: the last handler, and it passes neither event on. */
    private static EmbeddedChannel channelWithBridge() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.pipeline().addLast(NettyPipeline.ReactiveBridge, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
            }
        });
        return channel;
    }
}
