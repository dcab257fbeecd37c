package dev.randomchat.support;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import dev.randomchat.RandomChatApplication;

/**
 * A real server on a loopback port, in this JVM, against the shared test Redis. Settings are given
 * as the environment variables an operator would set ({@code MAX_ALLOWED_CONNS}, ...). Servers
 * started with the same {@link #cluster} name share one key prefix, so they see each other.
 */
public final class ChatServer implements AutoCloseable {

    /** Shared by all test servers, so tokens from one are valid on another, as in production. */
    public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private final ConfigurableApplicationContext context;
    private final int port;
    private final int managementPort;
    private final Path uploads;

    private ChatServer(ConfigurableApplicationContext context, Path uploads) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        this.managementPort = Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
        this.uploads = uploads;
    }

    /** A name for a new group of servers sharing one Redis key prefix. */
    public static String newCluster() {
        return "t" + ProcessHandle.current().pid() + "x" + CLUSTERS.incrementAndGet();
    }

    public static ChatServer start(Map<String, String> env) {
        return start(newCluster(), env);
    }

    public static ChatServer start(String cluster, Map<String, String> env) {
        return start(cluster, env, context -> { });
    }

    /**
     * A server whose context the test sets up further before it refreshes, e.g. with beans of its
     * own (registered first, so auto-configuration sees them as a service connection's would be).
     */
    public static ChatServer start(String cluster, Map<String, String> env,
            ApplicationContextInitializer<GenericApplicationContext> setUp) {
        Map<String, Object> settings = new HashMap<>(environment(cluster, env));
        Path uploads = Path.of(settings.get("UPLOAD_DIR").toString());
        ConfigurableApplicationContext context = new SpringApplicationBuilder(RandomChatApplication.class)
                .properties(settings)
                .initializers(ChatServer::ownNettyResources)
                .initializers(generic -> setUp.initialize((GenericApplicationContext) generic))
                .run();
        return new ChatServer(context, uploads);
    }

    /**
     * Several servers live in one test JVM: each gets its own event loops, so stopping one does
     * not take down Reactor Netty's global resources under the others.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory resources = new ReactorResourceFactory();
            resources.setUseGlobalResources(false);
            return resources;
        });
    }

    /**
     * The environment a test server runs with: the defaults below, the test's own settings over
     * them, and a fresh upload folder unless the test named one.
     */
    public static Map<String, String> environment(String cluster, Map<String, String> env) {
        Map<String, String> all = defaults(cluster);
        all.putAll(env);
        all.computeIfAbsent("UPLOAD_DIR", key -> ScratchDirs.create(ScratchDirs.UPLOADS).toString());
        return all;
    }

    private static Map<String, String> defaults(String cluster) {
        Map<String, String> env = new HashMap<>();
        env.put("HTTP_PORT", "0");
        // Loopback only (Boot's default is every interface); the management port follows it.
        env.put("server.address", "127.0.0.1");
        // A free port each, so that several servers (and other test runs) never collide on 9090.
        env.put("MANAGEMENT_PORT", "0");
        env.put("REDIS_ADDRS", TestRedis.address());
        env.put("REDIS_KEY_PREFIX", cluster);
        env.put("JWT_SECRET", JWT_SECRET);
        env.put("SHUTDOWN_DRAIN_SECONDS", "0");
        // Every test client comes from 127.0.0.1; tests of these limits set them lower.
        env.put("GUEST_CREATIONS_PER_MINUTE", "100000");
        env.put("MAX_CONNS_PER_IP", "100000");
        env.put("UPGRADES_PER_SECOND", "100000");
        // Tests reuse a guest for many joins and matches; tests of this limit set it lower.
        env.put("JOINS_PER_MINUTE", "100000");
        env.put("spring.main.banner-mode", "off");
        return env;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** The port of metrics and the operator API ({@code MANAGEMENT_PORT}). */
    public int managementPort() {
        return managementPort;
    }

    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    public Path uploadDir() {
        return uploads;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public boolean isRunning() {
        return context.isRunning();
    }

    @Override
    public void close() {
        if (context.isActive()) {
            context.close();
        }
        ScratchDirs.deleteIfOurs(uploads, ScratchDirs.UPLOADS);
    }
}
