package dev.randomchat.socket;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Websocket upgrades per client address per second, counted on this server in memory: a client
 * that reconnects in a loop is refused (429) before it costs a token check, a socket or Redis.
 */
final class UpgradeLimit {

    /** Past this many addresses, windows of earlier seconds are swept out. */
    private static final int SWEEP_AT = 10_000;

    private final int perSecond;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    UpgradeLimit(int perSecond) {
        this.perSecond = perSecond;
    }

    /** Counts one upgrade from {@code address}; true while it is within the limit. */
    boolean tryAcquire(String address) {
        long second = System.nanoTime() / 1_000_000_000L;
        if (windows.size() >= SWEEP_AT) {
            windows.values().removeIf(window -> window.second != second);
        }
        Window window = windows.compute(address,
                (key, current) -> current == null || current.second != second ? new Window(second) : current);
        synchronized (window) {
            return ++window.count <= perSecond;
        }
    }

    private static final class Window {

        private final long second;
        private int count;

        Window(long second) {
            this.second = second;
        }
    }
}
