package dev.randomchat.system;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.adapter.ForwardedHeaderTransformer;

/**
 * Applies {@code Forwarded} and {@code X-Forwarded-*} headers only when the request came from a
 * trusted proxy ({@code TRUSTED_PROXIES}, default loopback only); from anyone else they are
 * stripped. Everything after this filter sees the scheme, host and client address the visitor
 * really used.
 *
 * <p>The peer is the connection's real remote address: Reactor Netty's own forwarded-header
 * handling, which Spring Boot switches on when it detects a platform such as Kubernetes, is off
 * ({@link HttpServerSettings}), so no client header reaches the address before this filter does.
 * The client address is read from {@code X-Forwarded-For}, the header proxies append to.
 */
public class ForwardedHeadersFilter implements WebFilter, Ordered {

    private final List<Cidr> trustedProxies;
    private final ForwardedHeaderTransformer apply = new ForwardedHeaderTransformer();
    private final ForwardedHeaderTransformer strip = new ForwardedHeaderTransformer();

    public ForwardedHeadersFilter(List<Cidr> trustedProxies) {
        this.trustedProxies = trustedProxies;
        this.strip.setRemoveOnly(true);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        InetSocketAddress peer = request.getRemoteAddress();
        if (!trusts(peer)) {
            return chain.filter(with(exchange, strip.apply(request)));
        }
        InetSocketAddress client = clientBehind(request.getHeaders().getOrEmpty("X-Forwarded-For"), peer);
        ServerHttpRequest effective = apply.apply(request);
        // Spring's transformer may take the address from a Forwarded header's for= value: ours wins.
        if (effective != request || !client.equals(peer)) {
            effective = from(effective, client);
        }
        return chain.filter(with(exchange, effective));
    }

    /** {@code request} as seen from {@code client}: a view, not a mutated copy of all its headers. */
    private static ServerHttpRequest from(ServerHttpRequest request, InetSocketAddress client) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public InetSocketAddress getRemoteAddress() {
                return client;
            }
        };
    }

    /**
     * The exchange with {@code request}, or as it is when nothing changed: a request without
     * forwarded headers, from its own client, goes on without a copy of its headers (a mutated
     * request copies them all).
     */
    private static ServerWebExchange with(ServerWebExchange exchange, ServerHttpRequest request) {
        return request == exchange.getRequest() ? exchange : exchange.mutate().request(request).build();
    }

    /** Whether a request from {@code peer} came through one of our proxies. */
    public boolean trusts(InetSocketAddress peer) {
        return peer != null && Cidr.anyContains(trustedProxies, peer.getAddress());
    }

    /**
     * The client is the last {@code X-Forwarded-For} hop that is not one of our proxies: proxies
     * append what they saw, so entries to its left were written by the client and prove nothing.
     * Only IP literals are read (never a DNS lookup); an unreadable entry ends the walk.
     */
    public InetSocketAddress clientBehind(List<String> headers, InetSocketAddress peer) {
        List<String> hops = new ArrayList<>();
        headers.forEach(header -> hops.addAll(List.of(header.split(","))));
        InetSocketAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress address = literal(hops.get(i).trim());
            if (address == null) {
                break;
            }
            client = new InetSocketAddress(address, 0);
            if (!Cidr.anyContains(trustedProxies, address)) {
                break;
            }
        }
        return client;
    }

    private static InetAddress literal(String hop) {
        String host = hop;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end > 0 ? host.substring(1, end) : host;
        }
        else if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            host = host.substring(0, host.indexOf(':'));
        }
        return ClientAddress.literal(host).orElse(null);
    }
}
