package dev.randomchat.system;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.event.Event;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import reactor.core.Disposable;

/**
 * Tells a real Redis outage from the connections Lettuce opens and closes on its own, by the
 * events of the client's event bus. A Cluster's topology refresh (every
 * {@code REDIS_TOPOLOGY_REFRESH_SECONDS}, and on adaptive triggers) opens short-lived connections
 * whose ends raise deactivation events too; taking those for outages made every socket catch up
 * every 30 s. Only a connection with a watchdog, that is a long-lived one of this server that was
 * lost, raises {@link ReconnectAttemptEvent}; Redis counts as back once a connection to every node
 * lost is active again.
 */
final class RedisOutages implements AutoCloseable {

    private final AtomicBoolean armed = new AtomicBoolean();
    /** Redis nodes one of our own connections lost and Lettuce is dialling again. */
    private final Set<String> lostNodes = ConcurrentHashMap.newKeySet();
    private final Runnable over;
    private final Disposable events;

    /** Calls {@code over} when an outage ended, on Lettuce's event thread. */
    RedisOutages(EventBus bus, Runnable over) {
        this.over = over;
        this.events = bus.get()
                .filter(event -> event instanceof ReconnectAttemptEvent || event instanceof ConnectionActivatedEvent)
                .subscribe(this::onConnectionEvent);
    }

    /** From now on a lost connection is an outage: called once the first connections are open. */
    void arm() {
        armed.set(true);
    }

    private void onConnectionEvent(Event event) {
        if (event instanceof ReconnectAttemptEvent attempt) {
            if (armed.get()) {
                lostNodes.add(node(attempt.remoteAddress()));
            }
        }
        else if (event instanceof ConnectionActivatedEvent activated
                && lostNodes.remove(node(activated.remoteAddress()))
                && lostNodes.isEmpty()) {
            over.run();
        }
    }

    /** host:port of a node, the same whether the address was resolved or not. */
    private static String node(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public void close() {
        events.dispose();
    }
}
