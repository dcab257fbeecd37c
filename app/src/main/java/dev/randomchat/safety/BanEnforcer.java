package dev.randomchat.safety;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;

import dev.randomchat.socket.Connections;
import dev.randomchat.system.Redis;

/** Closes a banned guest's sockets on this server (4003) when any server announces the ban. */
@Component
class BanEnforcer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BanEnforcer.class);
    static final CloseStatus BANNED = new CloseStatus(4003, "banned");

    private final Redis redis;
    private final Bans bans;
    private final Connections connections;
    private volatile boolean running;

    BanEnforcer(Redis redis, Bans bans, Connections connections) {
        this.redis = redis;
        this.bans = bans;
        this.connections = connections;
    }

    @Override
    public void start() {
        // The async command is sent now; confirmation is not awaited: bans are rare, start-up is not.
        redis.subscribe(bans.topic(), this::banned);
        running = true;
    }

    private void banned(String guestId) {
        var sockets = connections.ofGuest(guestId);
        if (!sockets.isEmpty()) {
            log.info("closing {} sockets of banned guest {}", sockets.size(), guestId);
        }
        sockets.forEach(connection -> connection.close(BANNED));
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
