package dev.randomchat.system;

import java.util.Map;
import java.util.Properties;

/**
 * How many event-loop threads Reactor Netty runs: {@code IO_THREADS}, one per core by default.
 *
 * <p>Reactor Netty's own default is at least four. Nothing here blocks an event loop, so more
 * loops than cores only add context switches: on 2 cores, relay p99 and CPU per message were
 * lower with 2 loops than with 4 (README, Benchmarks). Applied before anything loads Reactor
 * Netty, which reads the setting once; {@code -Dreactor.netty.ioWorkerCount} still wins.
 */
public final class IoThreads {

    static final String PROPERTY = "reactor.netty.ioWorkerCount";
    static final String VARIABLE = "IO_THREADS";
    private static final int MAX = 256;

    private IoThreads() {
    }

    /** Sets the property from {@code env}, unless it is set already; a bad value is an error naming the variable. */
    public static void apply(Map<String, String> env, Properties properties, int cores) {
        if (properties.getProperty(PROPERTY) != null) {
            return;
        }
        String configured = env.getOrDefault(VARIABLE, "").trim();
        int threads = configured.isEmpty() ? Math.max(1, cores) : parse(configured);
        properties.setProperty(PROPERTY, Integer.toString(threads));
    }

    private static int parse(String value) {
        try {
            int threads = Integer.parseInt(value);
            if (threads >= 1 && threads <= MAX) {
                return threads;
            }
        }
        catch (NumberFormatException ex) {
            // answered below
        }
        throw new IllegalArgumentException(VARIABLE + " must be a whole number from 1 to " + MAX + ", not '" + value + "'");
    }
}
