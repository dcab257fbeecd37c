package dev.randomchat.system;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The second listening port, {@code MANAGEMENT_PORT}, bound to the same address as
 * {@code HTTP_PORT}. It serves the very same WebFlux application (one context, one handler chain,
 * the same filters); {@link ManagementPortFilter} decides by the port a request arrived on what
 * each port may answer. The websocket route is not on it. The bound port is published as the
 * property {@code local.management.port} (useful when the configured port is 0).
 */
public class ManagementServer implements SmartLifecycle {

    /** Started and stopped with the public web server (Spring Boot's phase for it). */
    private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

    private final HttpProperties http;
    private final ServerProperties server;
    /** Looked up at start: the handler chain holds {@link ManagementPortFilter}, which holds this. */
    private final ObjectProvider<HttpHandler> handler;
    private final ReactorResourceFactory resources;
    private final ConfigurableEnvironment environment;
    private volatile WebServer webServer;
    private volatile int port = -1;

    ManagementServer(HttpProperties http, ServerProperties server, ObjectProvider<HttpHandler> handler, ReactorResourceFactory resources,
            ConfigurableEnvironment environment) {
        this.http = http;
        this.server = server;
        this.handler = handler;
        this.resources = resources;
        this.environment = environment;
    }

    /** The port it listens on, or -1 before it started. */
    public int port() {
        return port;
    }

    @Override
    public void start() {
        if (server.getPort() != null && server.getPort() != 0 && server.getPort() == http.managementPort()) {
            throw new IllegalStateException("MANAGEMENT_PORT must differ from HTTP_PORT (both are " + server.getPort()
                    + "): metrics and the operator API must not be reachable on the public port");
        }
        NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory(http.managementPort());
        factory.setAddress(server.getAddress());
        factory.setResourceFactory(resources);
        factory.addServerCustomizers(new HttpServerSettings(http.idleTimeout()));
        WebServer started = factory.getWebServer(handler.getObject());
        started.start();
        webServer = started;
        port = started.getPort();
        environment.getPropertySources().addFirst(new MapPropertySource("management.port",
                Map.of("local.management.port", port)));
        log.info("Management port {}: /actuator/prometheus, /api/admin (and health)", port);
    }

    @Override
    public void stop() {
        WebServer running = webServer;
        if (running != null) {
            running.stop();
            webServer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return webServer != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
