package dev.randomchat.system;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Which port answers what (docs/protocol.md 5.1). Both ports run the same handler chain
 * ({@link ManagementServer}); this filter looks at the local port a request arrived on:
 * <ul>
 * <li>Management paths, {@code /actuator/**}, {@code /api/admin/**} and {@code /admin/**}, are
 * answered on {@code MANAGEMENT_PORT} only; on the public port they are 404, except the health
 * probes ({@code /actuator/health}, {@code .../liveness}, {@code .../readiness}), which both serve.</li>
 * <li>Everything else (the page, the chat API) is 404 on the management port.</li>
 * </ul>
 * So an operator page needs nothing but a controller or static files under {@code /admin/}: it
 * is then reachable on the management port and nowhere else. Paths are compared as Spring matches
 * them (percent-decoded, without {@code ;} parameters, any case, empty segments skipped), so no
 * spelling of a management path reaches its handler on the public port.
 */
public class ManagementPortFilter implements WebFilter, Ordered {

    private final ManagementServer management;

    public ManagementPortFilter(ManagementServer management) {
        this.management = management;
    }

    /** After {@link SecurityHeadersFilter}, so a refusal carries the security headers too. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 2;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        List<String> segments = segments(exchange.getRequest().getPath().pathWithinApplication());
        boolean onManagementPort = arrivedOn(exchange.getRequest().getLocalAddress(), management.port());
        boolean allowed = isHealth(segments) || (onManagementPort == isManagementPath(segments));
        if (!allowed) {
            return notFound(exchange);
        }
        return chain.filter(exchange);
    }

    /**
     * A 404 problem body written here: an error raised in a filter would skip the controller advice
     * and come out as Boot's plain JSON error, unlike every other 404.
     */
    private static Mono<Void> notFound(ServerWebExchange exchange) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.NOT_FOUND);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        String body = "{\"type\":\"" + ProblemAdvice.typeOf(404) + "\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"No such resource\"}";
        DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
    }

    private static boolean arrivedOn(InetSocketAddress local, int port) {
        return local != null && port > 0 && local.getPort() == port;
    }

    static boolean isManagementPath(List<String> segments) {
        if (segments.isEmpty()) {
            return false;
        }
        String first = segments.get(0);
        return first.equals("actuator") || first.equals("admin")
                || (first.equals("api") && segments.size() > 1 && segments.get(1).equals("admin"));
    }

    static boolean isHealth(List<String> segments) {
        return segments.size() >= 2 && segments.get(0).equals("actuator") && segments.get(1).equals("health");
    }

    /** The path's segments as they are matched against handlers, lower-cased, empty ones left out. */
    static List<String> segments(PathContainer path) {
        return path.elements().stream()
                .filter(PathContainer.PathSegment.class::isInstance)
                .map(element -> ((PathContainer.PathSegment) element).valueToMatch().toLowerCase(Locale.ROOT))
                .filter(segment -> !segment.isEmpty())
                .toList();
    }
}
