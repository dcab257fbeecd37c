package dev.randomchat.system;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Lettuce gets the sockets' loops, and its shutdown leaves them running for their owner. */
class SharedEventLoopsTests {

    @Test
    void handsLettuceTheSocketsLoopsAndNeverShutsThemDown() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SharedEventLoops shared = new SharedEventLoops(loops);

            assertThat(shared.allocate(MultiThreadIoEventLoopGroup.class)).isSameAs(loops);
            assertThat(shared.threadPoolSize()).isEqualTo(1);
            assertThat(shared.release(loops, 0, 1, TimeUnit.SECONDS).get(1, TimeUnit.SECONDS)).isTrue();
            assertThat(shared.shutdown(0, 1, TimeUnit.SECONDS).get(1, TimeUnit.SECONDS)).isTrue();

            assertThat(loops.isShuttingDown()).as("the owner's loops after Lettuce let go").isFalse();
            assertThat(loops.submit(() -> "still serving").get(1, TimeUnit.SECONDS)).isEqualTo("still serving");
        }
        finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
