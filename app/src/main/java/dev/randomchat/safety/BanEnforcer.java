package dev.randomchat.safety;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;

/**
 * Hears the bans any server announces, lists them in {@link Bans}' known bans and tells this
 * server's {@link BanListener}s (the socket layer, which closes the guest's sockets here with
 * 4003). The known bans are read from Redis once the topic is subscribed, and again after every
 * reconnect, when announcements may have been missed.
 */
@Component
class BanEnforcer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BanEnforcer.class);

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
        // Start-up does not wait for the confirmation: until the list is read, upgrades ask Redis.
        redis.subscribe(bans.topic(), this::banned)
                .then(bans.loadKnown())
                .subscribe(null, this::notLoaded);
        redis.onReconnect(() -> bans.loadKnown().subscribe(null, this::notLoaded));
        running = true;
    }

    private void banned(String guestId) {
        bans.heard(guestId);
        listeners.orderedStream().forEach(listener -> listener.guestBanned(guestId));
    }

    private void notLoaded(Throwable error) {
        log.warn("banned guests could not be read ({}): every socket upgrade asks Redis until the next reconnect",
                error.toString());
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
