package dev.randomchat.system;

import java.net.InetSocketAddress;

import org.springframework.http.server.reactive.ServerHttpRequest;

/** The client's address as text, after {@link ForwardedHeadersFilter} applied trusted proxies' headers. */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(ServerHttpRequest request) {
        return of(request.getRemoteAddress());
    }

    public static String of(InetSocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
