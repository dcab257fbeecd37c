package dev.randomchat.system;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Security headers on every response. A handler that needs a stricter policy (file downloads)
 * sets its own before the response commits, and this filter leaves it alone.
 * {@code Strict-Transport-Security} goes only on answers to requests that came over HTTPS: served
 * with {@code TLS_CERT_FILE}, or {@code X-Forwarded-Proto: https} from a trusted proxy (this filter
 * runs after {@link ForwardedHeadersFilter}, so the request's scheme is the one the visitor used).
 * Over plain HTTP the header would be ignored by browsers and wrong for a deployment without TLS.
 */
public class SecurityHeadersFilter implements WebFilter, Ordered {

    /** The page loads only its own files; nothing inline, nothing from elsewhere, never framed. */
    public static final String PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; font-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** HTTPS for a year for this host only; subdomains may be other services. */
    public static final String HSTS = "max-age=31536000";

    /** What every response carries unless its handler set a stricter value. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", PAGE_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Cross-Origin-Opener-Policy", "same-origin");
        // The page's own video and voice calls may ask for the camera and microphone; frames may not.
        headers.put("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()");
        return Collections.unmodifiableMap(headers);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            DEFAULTS.forEach((name, value) -> setIfAbsent(headers, name, value));
            if ("https".equalsIgnoreCase(exchange.getRequest().getURI().getScheme())) {
                setIfAbsent(headers, "Strict-Transport-Security", HSTS);
            }
            if (exchange.getRequest().getPath().value().startsWith("/api/")) {
                setIfAbsent(headers, HttpHeaders.CACHE_CONTROL, "no-store");
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static void setIfAbsent(HttpHeaders headers, String name, String value) {
        if (!headers.containsHeader(name)) {
            headers.set(name, value);
        }
    }
}
