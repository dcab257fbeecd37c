package dev.randomchat.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The one path to Redis: a standalone server or a Cluster behind the same calls.
 *
 * <p>Everything goes through Boot's {@link LettuceConnectionFactory}, so one Lettuce client (its
 * options, metrics and health check configured by Boot and {@link RedisConfiguration}) serves the
 * whole server. This facade opens connections of its own on the factory's native client: for
 * commands (scripts through Lettuce's asynchronous API, {@code EVALSHA} with a fallback to
 * {@code EVAL}, see {@link #run}; plain commands through its typed reactive interface), on a
 * standalone Redis one on each event loop so a socket's commands need no thread hop
 * ({@link CommandLanes}), and one for Pub/Sub, sharded ({@code SSUBSCRIBE}/{@code SPUBLISH}) on a
 * Cluster so a channel's events touch only its shard. The connection events tell an outage from Lettuce's own reconnects
 * ({@link RedisOutages}); Boot's health check keeps the factory's shared connection. While Redis
 * is away, commands fail at once (bounded queue, rejected when disconnected) instead of piling up;
 * after a reconnect, listeners registered with {@link #onReconnect} run so features can catch up
 * on what Pub/Sub dropped.
 */
public class Redis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Redis.class);

    /** A first connection that fails is retried this often until Redis answers. */
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** How long a caller waits for a subscription before treating Redis as unavailable. */
    public static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(5);
    private static final LuaScript PUBLISH = LuaScript.load(Redis.class, "publish.lua");
    /** How long a catch-up after an outage waits for every connection to be back, and how often it looks. */
    private static final Duration ALL_BACK_WAIT = Duration.ofSeconds(10);
    private static final Duration ALL_BACK_POLL = Duration.ofMillis(20);
    /** Confirmations awaited at once; they are all sent already. */
    private static final int RESUBSCRIBE_CONCURRENCY = 256;

    private final LettuceConnectionFactory factory;
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
    private final RedisOutages outages;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterReactiveCommands<String, String> commands;
    private volatile RedisClusterAsyncCommands<String, String> async;
    /** On a standalone Redis, a command connection per event loop (the first is {@link #connection}). */
    private volatile CommandLanes lanes;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    /**
     * @param factory Boot's started connection factory; its native client must be a
     *        {@link RedisClient} or a {@link RedisClusterClient}
     * @param prefix the first segment of every key and topic
     */
    public Redis(LettuceConnectionFactory factory, String prefix) {
        this.factory = factory;
        this.client = factory.getRequiredNativeClient();
        this.cluster = client instanceof RedisClusterClient;
        this.prefix = prefix;
        this.outages = new RedisOutages(client.getResources().eventBus(), this::reconnected);
        if (!tryConnect()) {
            log.warn("Redis is unreachable; the server starts anyway, reports not ready, and keeps trying");
            connector.scheduleWithFixedDelay(this::retryConnect, RETRY.toMillis(), RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the command and Pub/Sub connections on the factory's native client, and the factory's
     * own shared connection that Boot's health check uses; false (and nothing half-open) when Redis does
     * not answer. Runs on the constructing thread or the connector thread, never an event loop:
     * connecting blocks.
     */
    private synchronized boolean tryConnect() {
        if (connection != null || closed) {
            return true;
        }
        StatefulConnection<String, String> commandConnection = null;
        StatefulRedisPubSubConnection<String, String> subscriber = null;
        CommandLanes perLoop = null;
        try {
            RedisClusterReactiveCommands<String, String> reactive;
            RedisClusterAsyncCommands<String, String> async;
            if (client instanceof RedisClusterClient clusterClient) {
                var clusterConnection = clusterClient.connect();
                commandConnection = clusterConnection;
                reactive = clusterConnection.reactive();
                async = clusterConnection.async();
                subscriber = clusterClient.connectPubSub();
            }
            else {
                var standaloneConnection = ((RedisClient) client).connect();
                commandConnection = standaloneConnection;
                reactive = standaloneConnection.reactive();
                async = standaloneConnection.async();
                perLoop = CommandLanes.open((RedisClient) client, standaloneConnection,
                        client.getResources().ioThreadPoolSize());
                subscriber = ((RedisClient) client).connectPubSub();
            }
            // The factory opens its shared connection (the health check's) lazily, blocking the first
            // caller: let that be this thread rather than an event loop running the first check.
            ReactiveRedisConnection shared = factory.getReactiveConnection();
            shared.close();
            subscriber.addListener(new Dispatcher());
            this.commands = reactive;
            this.async = async;
            this.lanes = perLoop;
            this.pubSub = subscriber;
            this.connection = commandConnection;
            outages.arm();
            synchronized (subscriptions) {
                subscriptions.forEach((topic, subscription) -> subscription.send(topic));
            }
            return true;
        }
        catch (RedisException | DataAccessException ex) {
            if (subscriber != null) {
                subscriber.close();
            }
            if (perLoop != null) {
                perLoop.close();
            }
            if (commandConnection != null) {
                commandConnection.close();
            }
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
        requireConnected();
        return commands;
    }

    /**
     * Runs a script whose result is one string (or nil, which completes empty): {@code EVALSHA},
     * and {@code EVAL} once when the node answers {@code NOSCRIPT} (which loads it there). Failures
     * are Lettuce's {@link RedisException}s, as from {@link #commands()}.
     *
     * <p>Every script, the send path's {@code send.lua} included, goes through Lettuce's
     * asynchronous API: its reactive one (which Spring Data Redis's template also uses) builds a
     * publisher, a subscription and a queue for each command, about a kilobyte each time, which at
     * a few thousand commands a second was the largest single source of garbage on the event loops
     * (bench/RESULTS.md, "The load generator's own pauses; scripts without the reactive layer").
     */
    public Mono<String> run(LuaScript script, List<String> keys, String... args) {
        String[] keyArray = keys.toArray(String[]::new);
        return this.<String>command(commands -> commands.evalsha(script.sha1(), ScriptOutputType.VALUE, keyArray, args))
                .onErrorResume(RedisNoScriptException.class, missing -> command(
                        commands -> commands.eval(script.source(), ScriptOutputType.VALUE, keyArray, args)));
    }

    /**
     * Before the first connection succeeded, fails like an outage instead of letting the factory
     * block the calling thread (an event loop) while it dials.
     */
    private void requireConnected() {
        if (connection == null) {
            throw new RedisConnectionException("Redis is not connected yet");
        }
    }

    /**
     * One plain command through Lettuce's asynchronous API, for the paths every socket takes (the
     * ban check at an upgrade): a third of the garbage of the same command through
     * {@link #commands()} (see {@link #run}). Completes empty on a nil reply.
     */
    public <T> Mono<T> command(Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
        return Mono.defer(() -> {
            requireConnected();
            CommandLanes perLoop = lanes;
            return Mono.fromCompletionStage(command.apply(perLoop != null ? perLoop.forThisThread() : async));
        });
    }

    /** The event loops that have a command connection of their own (none on a Cluster). */
    Set<Thread> loopsWithOwnConnection() {
        CommandLanes perLoop = lanes;
        return perLoop != null ? perLoop.loops() : Set.of();
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
            // Every subscriber of the topic waits on this one confirmation: one that gives up (its
            // socket closed, its wait timed out) must not cancel it for the others.
            return Mono.fromFuture(subscription.confirmed, true).then();
        }
    }

    /**
     * {@code source}, or a {@link java.util.concurrent.TimeoutException} once {@code wait} has
     * passed, timed on Lettuce's timer (its half-second tick: for waits of seconds). Reactor's own
     * timeout schedules a task on a scheduler thread for every call, and wakes that thread when the
     * task is the next due, as it nearly always is when each wait ends within milliseconds: a wake-up
     * per pair made. The wheel timer only queues the task; its thread looks at its next tick.
     */
    public <T> Mono<T> within(Mono<T> source, Duration wait) {
        return source.timeout(Mono.<Long>create(sink -> {
            Timeout timeout = client.getResources().timer()
                    .newTimeout(expired -> sink.success(0L), wait.toMillis(), TimeUnit.MILLISECONDS);
            sink.onDispose(timeout::cancel);
        }));
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

    /**
     * An outage ended ({@link RedisOutages}: a connection to each node lost is back). Lettuce dials
     * every connection of this facade again on its own, so the others, Pub/Sub among them, may
     * still be on their way: the catch-up waits until all are open and every topic is subscribed
     * again (confirmed by Redis), or a message published between the catch-up's reads and the
     * resubscription would reach its sockets only with the next one on its channel. After
     * {@link #ALL_BACK_WAIT} it catches up anyway.
     */
    private void reconnected() {
        Mono.defer(() -> allOpen() ? subscribeAllAgain()
                        : Mono.error(new RedisConnectionException("not every connection is back yet")))
                .retryWhen(Retry.fixedDelay(ALL_BACK_WAIT.dividedBy(ALL_BACK_POLL), ALL_BACK_POLL))
                .subscribe(null, error -> {
                    log.warn("not every Redis connection was back within {}; catching up anyway", ALL_BACK_WAIT);
                    catchUp();
                }, this::catchUp);
    }

    private void catchUp() {
        if (closed) {
            return;
        }
        log.info("Redis connection re-established; catching up");
        reconnectListeners.forEach(Runnable::run);
    }

    /** {@link #connected()}, and every command connection per event loop as well. */
    private boolean allOpen() {
        CommandLanes perLoop = lanes;
        return connected() && (perLoop == null || perLoop.allOpen());
    }

    /**
     * (S)SUBSCRIBEs every topic held once more (Redis takes it as a no-op where Lettuce's own
     * resubscription got there first) and completes when Redis confirmed them all. Sent under the
     * lock, as {@link #subscribe} and {@link #unsubscribe} send theirs, so no topic given up
     * meanwhile is subscribed again behind its UNSUBSCRIBE.
     */
    private Mono<Void> subscribeAllAgain() {
        List<CompletionStage<Void>> confirmations = new ArrayList<>();
        synchronized (subscriptions) {
            subscriptions.keySet().forEach(topic -> confirmations.add(sendSubscribe(topic)));
        }
        return Flux.fromIterable(confirmations).flatMap(Mono::fromCompletionStage, RESUBSCRIBE_CONCURRENCY).then();
    }

    /** (S)SUBSCRIBE for one topic, sharded on a Cluster; call under the subscriptions' lock. */
    private CompletionStage<Void> sendSubscribe(String topic) {
        var async = pubSub.async();
        return cluster ? async.ssubscribe(topic) : async.subscribe(topic);
    }

    /** Closes this facade's own connections; the client itself belongs to the factory, which stops it. */
    @Override
    public synchronized void close() {
        closed = true;
        connector.shutdownNow();
        outages.close();
        // Boot's factory may have shut the client, and with it these, already: Lettuce warns on a
        // second close, which made every clean stop log two warnings.
        if (pubSub != null && pubSub.isOpen()) {
            pubSub.close();
        }
        if (lanes != null) {
            lanes.close();
        }
        if (connection != null && connection.isOpen()) {
            connection.close();
        }
    }

    /** One topic this server listens to: how many want it, and when Redis confirmed it. */
    private final class Subscription {

        private final CompletableFuture<Void> confirmed = new CompletableFuture<>();
        private int count;

        /** Sends (S)SUBSCRIBE now; called under the subscriptions lock. */
        private void send(String topic) {
            sendSubscribe(topic).whenComplete((ok, error) -> {
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
