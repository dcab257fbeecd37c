package dev.randomchat.system;

import java.time.Duration;

import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * What both ports' Reactor Netty servers are set to, whatever Spring Boot deduced:
 * <ul>
 * <li>No forwarded-header handling of its own. Spring Boot switches it on when it detects a cloud
 * platform (on Kubernetes every pod has {@code KUBERNETES_SERVICE_HOST/PORT}); Reactor Netty then
 * takes the client address, scheme and even the local port from any client's {@code Forwarded} or
 * {@code X-Forwarded-*} headers. {@link ForwardedHeadersFilter} believes them from trusted proxies
 * only.</li>
 * <li>A connection that sends nothing for {@code HTTP_IDLE_SECONDS} is closed: before and while its
 * request headers arrive (Reactor Netty's idle timeout, active until the headers are complete and
 * between kept-alive requests), and while its body arrives (the read timeout, between two reads of
 * one request's body). Each byte that arrives counts as progress: a client trickling its headers
 * byte by byte is bounded only by the 16 KB header limit, not by a total deadline.</li>
 * </ul>
 */
class HttpServerSettings implements NettyServerCustomizer {

    private final Duration idleTimeout;

    HttpServerSettings(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.forwarded(false)
                .idleTimeout(idleTimeout)
                .readTimeout(idleTimeout);
    }
}
