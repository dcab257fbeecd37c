package dev.randomchat.system;

import java.util.Properties;

/**
 * How many frames Reactor Netty's writer of a socket asks for ahead of writing them
 * ({@code reactor.netty.send.maxPrefetchSize}): 16 here, 128 by Reactor Netty's default.
 *
 * <p>The writer keeps a queue with that many slots for as long as its socket is open: with 128,
 * about 1 KiB a socket under ZGC, whose references take 8 bytes (bench/RESULTS.md, "Footprint").
 * A socket's frames wait in its own byte-bounded queue ({@code Connection}) and reach the writer
 * one at a time, each once the channel is writable ({@code SocketHandler}), so the writer's queue
 * holds one frame or none and 16 slots lose nothing. Applied before anything loads Reactor Netty,
 * which reads the setting once; {@code -Dreactor.netty.send.maxPrefetchSize} still wins.
 */
public final class WriterPrefetch {

    static final String PROPERTY = "reactor.netty.send.maxPrefetchSize";
    static final int FRAMES = 16;

    private WriterPrefetch() {
    }

    /** Sets the property, unless it is set already. */
    public static void apply(Properties properties) {
        if (properties.getProperty(PROPERTY) == null) {
            properties.setProperty(PROPERTY, Integer.toString(FRAMES));
        }
    }
}
