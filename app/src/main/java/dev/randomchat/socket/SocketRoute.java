package dev.randomchat.socket;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.Cookie;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.web.util.ForwardedHeaderUtils;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.GuestAuth;
import dev.randomchat.safety.Bans;
import dev.randomchat.system.ClientAddress;
import dev.randomchat.system.ForwardedHeadersFilter;
import dev.randomchat.system.SecurityHeadersFilter;

/**
 * The websocket endpoint, served by Reactor Netty directly rather than through WebFlux: a socket
 * lives for hours, and a WebFlux exchange (headers copied into the handshake, attributes,
 * observation) would stay in memory with it. Upgrades over the address's rate get 429 first (before
 * any token is checked); then the checks run in the protocol's order: Origin (403), guest auth
 * (401), ban (403), capacity (503); a refusal is a plain status with the security
 * headers every response carries. The capacity reservation is returned on every path.
 */
final class SocketRoute implements NettyRouteProvider {

    static final String PATH = "/ws";
    /** Reactor Netty's own ceiling for one frame; larger frames close the socket with 1009. */
    static final int MAX_FRAME_PAYLOAD = 64 * 1024;

    private final SocketHandler handler;
    private final GuestAuth auth;
    private final Bans bans;
    private final Connections connections;
    private final ForwardedHeadersFilter proxies;
    private final List<String> allowedOrigins;
    private final MeterRegistry meters;

    SocketRoute(SocketHandler handler, GuestAuth auth, Bans bans, Connections connections,
            ForwardedHeadersFilter proxies, List<String> allowedOrigins, MeterRegistry meters) {
        this.handler = handler;
        this.auth = auth;
        this.bans = bans;
        this.connections = connections;
        this.proxies = proxies;
        this.allowedOrigins = allowedOrigins.stream().map(SocketRoute::normalize).flatMap(Optional::stream).toList();
        this.meters = meters;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(request -> request.method() == HttpMethod.GET && PATH.equals(pathOf(request.uri())),
                this::upgrade);
    }

    private Mono<Void> upgrade(HttpServerRequest request, HttpServerResponse response) {
        // A view of Netty's headers for the checks, not a copy: nothing of it outlives the handshake.
        HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders()));
        if (!"websocket".equalsIgnoreCase(headers.getUpgrade())) {
            return refuse(response, HttpResponseStatus.BAD_REQUEST, "not_websocket");
        }
        InetSocketAddress peer = request.remoteAddress();
        boolean proxied = proxies.trusts(peer);
        String ip = ClientAddress.of(proxied ? proxies.clientBehind(headers.getOrEmpty("X-Forwarded-For"), peer) : peer);
        if (!connections.upgradeAllowed(ip)) {
            return refuse(response, HttpResponseStatus.TOO_MANY_REQUESTS, "rate");
        }
        if (!originAllowed(request, headers, proxied)) {
            return refuse(response, HttpResponseStatus.FORBIDDEN, "origin");
        }
        Optional<Guest> guest = auth.guest(headers, guestCookie(request));
        if (guest.isEmpty()) {
            return refuse(response, HttpResponseStatus.UNAUTHORIZED, "auth");
        }
        return bans.admit(guest.get())
                .onErrorReturn(false)
                .flatMap(banned -> banned
                        ? refuse(response, HttpResponseStatus.FORBIDDEN, "banned")
                        : admit(response, guest.get(), ip));
    }

    private Mono<Void> admit(HttpServerResponse response, Guest guest, String ip) {
        return Mono.usingWhen(
                Mono.fromSupplier(() -> connections.reserve(ip)),
                reservation -> {
                    if (!reservation.granted()) {
                        return refuse(response, HttpResponseStatus.SERVICE_UNAVAILABLE, reservation.reason());
                    }
                    return response.sendWebsocket((in, out) -> serve(in, out, guest, ip),
                            WebsocketServerSpec.builder().maxFramePayloadLength(MAX_FRAME_PAYLOAD).handlePing(false)
                                    .build());
                },
                this::release,
                (reservation, error) -> release(reservation),
                this::release);
    }

    /**
     * Reactor Netty times out the reads of a request's body ({@code HTTP_IDLE_SECONDS}) until the
     * request's last part has been read; a socket upgraded before that (no Redis call on the way,
     * as for nearly every guest) would keep the timeout for its whole life and close when quiet.
     */
    private Mono<Void> serve(WebsocketInbound in, WebsocketOutbound out, Guest guest, String ip) {
        in.withConnection(connection -> connection.removeHandler(NettyPipeline.ReadTimeoutHandler));
        return handler.serve(in, out, guest, ip);
    }

    private Mono<Void> release(Connections.Reservation reservation) {
        return Mono.fromRunnable(() -> {
            if (reservation.granted()) {
                connections.release(reservation);
            }
        });
    }

    /** Same origin (as the visitor addressed us, through a trusted proxy if any), or an allowed one. */
    private boolean originAllowed(HttpServerRequest request, HttpHeaders headers, boolean proxied) {
        String origin = headers.getOrigin();
        if (origin == null) {
            return true;
        }
        Optional<String> normalized = normalize(origin);
        if (normalized.isEmpty()) {
            return false;
        }
        return normalized.get().equals(ownOrigin(request, headers, proxied).orElse(""))
                || allowedOrigins.contains(normalized.get());
    }

    private static Optional<String> ownOrigin(HttpServerRequest request, HttpHeaders headers, boolean proxied) {
        String host = headers.getFirst(HttpHeaders.HOST);
        if (host == null) {
            return Optional.empty();
        }
        try {
            URI self = URI.create(request.scheme() + "://" + host + "/");
            if (proxied) {
                self = ForwardedHeaderUtils.adaptFromForwardedHeaders(self, headers).build().toUri();
            }
            return normalize(self.getScheme() + "://" + self.getRawAuthority());
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    /** {@code scheme://host:port} in lower case with the port always present, or empty if malformed. */
    static Optional<String> normalize(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null) {
                return Optional.empty();
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
            return Optional.of(scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port);
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private static Optional<String> guestCookie(HttpServerRequest request) {
        List<Cookie> cookies = request.allCookies().get(GuestAuth.COOKIE);
        return cookies == null || cookies.isEmpty() ? Optional.empty() : Optional.of(cookies.get(0).value());
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    private Mono<Void> refuse(HttpServerResponse response, HttpResponseStatus status, String reason) {
        meters.counter("chat.upgrades.rejected", "reason", reason).increment();
        response.status(status);
        SecurityHeadersFilter.DEFAULTS.forEach(response::header);
        response.header(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response.send();
    }
}
