package dev.randomchat.system;

import java.net.InetSocketAddress;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.adapter.ForwardedHeaderTransformer;

/**
 * Applies {@code Forwarded} and {@code X-Forwarded-*} headers only when the request came from a
 * trusted proxy ({@code TRUSTED_PROXIES}); from anyone else they are stripped. Everything after
 * this filter sees the scheme, host and client address the visitor really used.
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
        boolean trusted = peer != null && Cidr.anyContains(trustedProxies, peer.getAddress());
        ServerHttpRequest effective = (trusted ? apply : strip).apply(request);
        return chain.filter(exchange.mutate().request(effective).build());
    }
}
