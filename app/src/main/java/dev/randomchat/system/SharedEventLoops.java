package dev.randomchat.system;

import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * Lettuce's connections on the event loops that serve the sockets, instead of a thread of their
 * own. A Redis reply is then handled, and what it starts (a frame to a socket, the next command)
 * done, on a loop that serves sockets: a command issued on the loop its connection lives on is
 * written at once, not handed to another thread, and on 2 cores there is no third busy thread
 * to switch to. The loops belong to Reactor Netty (Spring's {@code ReactorResourceFactory}), which
 * shuts them down: Lettuce's release and shutdown leave them alone. Public for the benchmark's
 * pairing reference, which runs Lettuce the way the server does.
 */
public final class SharedEventLoops implements EventLoopGroupProvider {

    private final EventLoopGroup loops;
    private final int size;

    public SharedEventLoops(EventLoopGroup loops) {
        this.loops = loops;
        this.size = (int) StreamSupport.stream(loops.spliterator(), false).count();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        // Lettuce asks for its transport's group class (MultiThreadIoEventLoopGroup with epoll on
        // Linux); Reactor Netty's loops run the same transport, and Lettuce uses the group as an
        // EventLoopGroup only.
        return (T) loops;
    }

    @Override
    public int threadPoolSize() {
        return size;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
