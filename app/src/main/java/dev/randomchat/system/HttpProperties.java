package dev.randomchat.system;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the server sees the web in front of it.
 *
 * @param allowedOrigins {@code ALLOWED_ORIGINS}: origins, besides the server's own, whose pages
 *        may open the websocket (e.g. {@code https://chat.example.com})
 * @param trustedProxies {@code TRUSTED_PROXIES}: address ranges whose {@code X-Forwarded-*} and
 *        {@code Forwarded} headers are believed; default loopback only ({@code 127.0.0.0/8},
 *        {@code ::1}); empty trusts no one
 * @param managementPort {@code MANAGEMENT_PORT}: the port of metrics and the operator API, bound
 *        to the same address as {@code HTTP_PORT}; 0 picks a free one
 * @param idleTimeout {@code HTTP_IDLE_SECONDS}: a connection whose request headers or body send
 *        nothing for this long is closed, on both ports
 */
@ConfigurationProperties("chat.http")
public record HttpProperties(List<String> allowedOrigins, List<String> trustedProxies, int managementPort,
        Duration idleTimeout) {

    public HttpProperties {
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        trustedProxies = trustedProxies == null ? List.of() : trustedProxies;
        Cidr.parseAll(trustedProxies);
        Configured.within(managementPort, 0, 65535, "MANAGEMENT_PORT");
        Configured.positive(idleTimeout, "HTTP_IDLE_SECONDS");
    }
}
