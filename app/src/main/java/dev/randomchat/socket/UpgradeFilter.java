package dev.randomchat.socket;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.GuestAuth;
import dev.randomchat.safety.Bans;
import dev.randomchat.system.ClientAddress;

/**
 * The checks before a websocket upgrade, in the protocol's order: Origin (403), guest auth (401),
 * ban (403), capacity (503). A failed check answers with a plain status and no upgrade. The
 * capacity reservation lives exactly as long as the exchange, so it is returned on every path.
 */
class UpgradeFilter implements WebFilter, Ordered {

    static final String PATH = "/ws";

    private final GuestAuth auth;
    private final Bans bans;
    private final Connections connections;
    private final List<String> allowedOrigins;
    private final MeterRegistry meters;

    UpgradeFilter(GuestAuth auth, Bans bans, Connections connections, List<String> allowedOrigins,
            MeterRegistry meters) {
        this.meters = meters;
        this.auth = auth;
        this.bans = bans;
        this.connections = connections;
        this.allowedOrigins = allowedOrigins.stream().map(UpgradeFilter::normalize).flatMap(Optional::stream).toList();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!PATH.equals(request.getPath().value())) {
            return chain.filter(exchange);
        }
        if (!originAllowed(request)) {
            return refuse(exchange, HttpStatus.FORBIDDEN, "origin");
        }
        Optional<Guest> guest = auth.guest(request);
        if (guest.isEmpty()) {
            return refuse(exchange, HttpStatus.UNAUTHORIZED, "auth");
        }
        return bans.guestBanned(guest.get().id())
                .onErrorReturn(false)
                .flatMap(banned -> banned ? refuse(exchange, HttpStatus.FORBIDDEN, "banned") : admit(exchange, chain));
    }

    private Mono<Void> admit(ServerWebExchange exchange, WebFilterChain chain) {
        String ip = ClientAddress.of(exchange.getRequest());
        return Mono.usingWhen(
                Mono.fromSupplier(() -> connections.reserve(ip)),
                reservation -> {
                    if (!reservation.granted()) {
                        return refuse(exchange, HttpStatus.SERVICE_UNAVAILABLE, reservation.reason());
                    }
                    return chain.filter(exchange);
                },
                reservation -> release(reservation),
                (reservation, error) -> release(reservation),
                reservation -> release(reservation));
    }

    private Mono<Void> release(Connections.Reservation reservation) {
        return Mono.fromRunnable(() -> {
            if (reservation.granted()) {
                connections.release(reservation);
            }
        });
    }

    private boolean originAllowed(ServerHttpRequest request) {
        String origin = request.getHeaders().getOrigin();
        if (origin == null) {
            return true;
        }
        Optional<String> normalized = normalize(origin);
        if (normalized.isEmpty()) {
            return false;
        }
        URI self = request.getURI();
        String own = normalize(self.getScheme().replace("ws", "http") + "://" + self.getRawAuthority()).orElse("");
        return normalized.get().equals(own) || allowedOrigins.contains(normalized.get());
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

    private Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String reason) {
        meters.counter("chat.upgrades.rejected", "reason", reason).increment();
        exchange.getResponse().setStatusCode(status);
        exchange.getResponse().getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        return exchange.getResponse().setComplete();
    }

}
