package dev.randomchat.safety;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;

/**
 * Hears the bans any server announces and tells this server's {@link BanListener}s (the socket
 * layer, which closes the guest's sockets here with 4003).
 */
@Component
class BanEnforcer implements SmartLifecycle {

    private final Redis redis;
    private final Bans bans;
    private final ObjectProvider<BanListener> listeners;
    private volatile boolean running;

    BanEnforcer(Redis redis, Bans bans, ObjectProvider<BanListener> listeners) {
        this.redis = redis;
        this.bans = bans;
        this.listeners = listeners;
    }

    @Override
    public void start() {
        // The async command is sent now; confirmation is not awaited: bans are rare, start-up is not.
        redis.subscribe(bans.topic(), this::banned);
        running = true;
    }

    private void banned(String guestId) {
        listeners.orderedStream().forEach(listener -> listener.guestBanned(guestId));
    }

    @Override
    public void stop() {
        redis.unsubscribe(bans.topic());
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
