package dev.randomchat.socket;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.randomchat.protocol.CloseCode;

/**
 * Shutdown in the order a load balancer needs: readiness turns false and new upgrades get 503,
 * then after the drain delay every socket is closed with 1012 so its client reconnects elsewhere.
 * Runs before the web server's own graceful shutdown (highest phase stops first).
 */
@Component
class SocketDrainer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SocketDrainer.class);

    /** Sockets get this long to finish closing before the web server stops waiting for them. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Connections connections;
    private final SocketProperties properties;
    private final ApplicationEventPublisher events;
    private volatile boolean running;

    SocketDrainer(Connections connections, SocketProperties properties, ApplicationEventPublisher events) {
        this.connections = connections;
        this.properties = properties;
        this.events = events;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        connections.stopAccepting();
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        log.info("Draining: readiness is down, new sockets are refused; closing {} sockets with 1012 in {}",
                connections.size(), properties.drainDelay());
        pause(properties.drainDelay());
        connections.closeAll(CloseCode.RESTARTING);
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (connections.size() > 0 && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(20));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
