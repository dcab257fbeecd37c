package dev.randomchat.system;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The one path to Redis: a standalone server or a Cluster behind the same calls.
 *
 * <p>Commands go through one multiplexed connection; scripts run by SHA with a fallback to EVAL.
 * Events use Pub/Sub, or sharded Pub/Sub ({@code SSUBSCRIBE}/{@code SPUBLISH}) on a Cluster so a
 * channel's events touch only its shard. While Redis is away, commands fail at once (bounded queue,
 * rejected when disconnected) instead of piling up; after a reconnect, listeners registered with
 * {@link #onReconnect} run so features can catch up on what Pub/Sub dropped.
 */
public class Redis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Redis.class);

    /** A command that takes longer than this is failed; Redis answers in microseconds when healthy. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** A first connection that fails is retried this often until Redis answers. */
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a caller waits for a subscription before treating Redis as unavailable. */
    public static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    private static final LuaScript PUBLISH = LuaScript.load(Redis.class, "publish.lua");

    private final AbstractRedisClient client;
    private final boolean cluster;
    private final String prefix;
    private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "redis-connector");
        thread.setDaemon(true);
        return thread;
    });
    private final Disposable reconnectEvents;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterReactiveCommands<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    public Redis(List<String> addrs, String password, String prefix, int commandQueueSize) {
        this.cluster = addrs.size() > 1;
        this.prefix = prefix;
        List<RedisURI> uris = addrs.stream().map(addr -> uri(addr, password)).toList();
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(uris);
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .requestQueueSize(commandQueueSize)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            this.client = clusterClient;
        }
        else {
            RedisClient standalone = RedisClient.create(uris.get(0));
            standalone.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .requestQueueSize(commandQueueSize)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                    .build());
            this.client = standalone;
        }
        // A connection lost after the first connect, then one (re)activated: Redis is back.
        this.reconnectEvents = client.getResources().eventBus().get()
                .filter(event -> event instanceof ConnectionDeactivatedEvent || event instanceof ConnectionActivatedEvent)
                .subscribe(event -> {
                    if (event instanceof ConnectionDeactivatedEvent) {
                        outage.set(connectedOnce.get());
                    }
                    else if (outage.compareAndSet(true, false)) {
                        reconnected();
                    }
                });
        if (!tryConnect()) {
            log.warn("Redis at {} is unreachable; the server starts anyway, reports not ready, and keeps trying",
                    addrs);
            connector.scheduleWithFixedDelay(this::retryConnect, RETRY.toMillis(), RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean connectedOnce = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean outage = new java.util.concurrent.atomic.AtomicBoolean();

    /** Opens the command and Pub/Sub connections; false (and nothing half-open) when Redis does not answer. */
    private synchronized boolean tryConnect() {
        if (connection != null || closed) {
            return true;
        }
        StatefulConnection<String, String> commandConnection = null;
        try {
            StatefulRedisPubSubConnection<String, String> subscriber;
            if (client instanceof RedisClusterClient clusterClient) {
                var clusterConnection = clusterClient.connect();
                commandConnection = clusterConnection;
                subscriber = clusterClient.connectPubSub();
                this.commands = clusterConnection.reactive();
            }
            else {
                var standaloneConnection = ((RedisClient) client).connect();
                commandConnection = standaloneConnection;
                subscriber = ((RedisClient) client).connectPubSub();
                this.commands = standaloneConnection.reactive();
            }
            subscriber.addListener(new Dispatcher());
            this.pubSub = subscriber;
            this.connection = commandConnection;
            connectedOnce.set(true);
            synchronized (subscriptions) {
                subscriptions.forEach((topic, subscription) -> subscription.send(topic));
            }
            return true;
        }
        catch (RedisException ex) {
            if (commandConnection != null) {
                commandConnection.close();
            }
            this.commands = null;
            return false;
        }
    }

    private void retryConnect() {
        if (tryConnect()) {
            log.info("Redis reached; the server is ready");
            connector.shutdown();
        }
    }

    public boolean cluster() {
        return cluster;
    }

    /** A key or topic name: {@code prefix:part:part}. */
    public String key(String... parts) {
        return prefix + ":" + String.join(":", parts);
    }

    /** The publish command scripts must use: sharded on a Cluster. */
    public String publishCommand() {
        return cluster ? "SPUBLISH" : "PUBLISH";
    }

    /**
     * The command interface. Before the first connection to Redis succeeded it throws a
     * {@link RedisConnectionException}, which callers answer like any Redis outage.
     */
    public RedisClusterReactiveCommands<String, String> commands() {
        RedisClusterReactiveCommands<String, String> current = commands;
        if (current == null) {
            throw new RedisConnectionException("Redis is not connected yet");
        }
        return current;
    }

    /** Runs a script whose result is one string (or nil, which completes empty). */
    public Mono<String> run(LuaScript script, List<String> keys, String... args) {
        String[] keyArray = keys.toArray(String[]::new);
        return Mono.defer(() -> commands().<String>evalsha(script.sha1(), ScriptOutputType.VALUE, keyArray, args)
                .next()
                .onErrorResume(RedisNoScriptException.class, ex -> commands()
                        .<String>eval(script.source(), ScriptOutputType.VALUE, keyArray, args)
                        .next()));
    }

    public Mono<String> ping() {
        return Mono.defer(() -> commands().ping());
    }

    /**
     * Subscribes to a topic and calls {@code handler} with every message on it. Subscriptions are
     * counted: the first subscribe sends SUBSCRIBE, the last {@link #unsubscribe} sends UNSUBSCRIBE,
     * both under one lock so Redis sees them in the order they were decided. The returned Mono
     * completes once Redis confirmed the subscription, so nothing published after it is missed.
     */
    public Mono<Void> subscribe(String topic, Consumer<String> handler) {
        synchronized (subscriptions) {
            Subscription subscription = subscriptions.get(topic);
            if (subscription == null) {
                handlers.put(topic, handler);
                subscription = new Subscription();
                subscriptions.put(topic, subscription);
                if (pubSub != null) {
                    subscription.send(topic);
                }
            }
            subscription.count++;
            return Mono.fromCompletionStage(subscription.confirmed).then();
        }
    }

    public void unsubscribe(String topic) {
        synchronized (subscriptions) {
            Subscription subscription = subscriptions.get(topic);
            if (subscription == null || --subscription.count > 0) {
                return;
            }
            subscriptions.remove(topic);
            handlers.remove(topic);
            if (pubSub == null) {
                return;
            }
            var async = pubSub.async();
            if (cluster) {
                async.sunsubscribe(topic);
            }
            else {
                async.unsubscribe(topic);
            }
        }
    }

    /** Publishes one event; on a Cluster with SPUBLISH, so only the topic's shard carries it. */
    public Mono<Void> publish(String topic, String payload) {
        return run(PUBLISH, List.of(topic), publishCommand(), payload).then();
    }

    public int subscriptionCount() {
        synchronized (subscriptions) {
            return subscriptions.size();
        }
    }

    /** Runs {@code listener} after any Redis connection came back from a disconnect. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    public boolean connected() {
        StatefulConnection<String, String> current = connection;
        return current != null && current.isOpen() && pubSub.isOpen();
    }

    private void reconnected() {
        log.info("Redis connection re-established; catching up");
        reconnectListeners.forEach(Runnable::run);
    }

    @Override
    public synchronized void close() {
        closed = true;
        connector.shutdownNow();
        reconnectEvents.dispose();
        if (pubSub != null) {
            pubSub.close();
        }
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static RedisURI uri(String addr, String password) {
        int colon = addr.lastIndexOf(':');
        RedisURI.Builder builder = RedisURI.Builder
                .redis(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)))
                .withTimeout(COMMAND_TIMEOUT);
        if (!password.isEmpty()) {
            builder.withPassword(password.toCharArray());
        }
        return builder.build();
    }

    /** One topic this server listens to: how many want it, and when Redis confirmed it. */
    private final class Subscription {

        private final CompletableFuture<Void> confirmed = new CompletableFuture<>();
        private int count;

        /** Sends (S)SUBSCRIBE now; called under the subscriptions lock. */
        private void send(String topic) {
            var async = pubSub.async();
            var sent = cluster ? async.ssubscribe(topic) : async.subscribe(topic);
            sent.whenComplete((ok, error) -> {
                if (error != null) {
                    confirmed.completeExceptionally(error);
                }
                else {
                    confirmed.complete(null);
                }
            });
        }
    }

    private final class Dispatcher extends RedisPubSubAdapter<String, String> {

        @Override
        public void message(String topic, String message) {
            dispatch(topic, message);
        }

        @Override
        public void smessage(String topic, String message) {
            dispatch(topic, message);
        }

        private void dispatch(String topic, String message) {
            Consumer<String> handler = handlers.get(topic);
            if (handler == null) {
                return;
            }
            try {
                handler.accept(message);
            }
            catch (RuntimeException ex) {
                log.error("event handler failed for topic {}", topic, ex);
            }
        }
    }
}
