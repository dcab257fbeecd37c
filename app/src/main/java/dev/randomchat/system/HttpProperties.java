package dev.randomchat.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How the server sees the web in front of it.
 *
 * @param allowedOrigins {@code ALLOWED_ORIGINS}: origins, besides the server's own, whose pages
 *        may open the websocket (e.g. {@code https://chat.example.com})
 * @param trustedProxies {@code TRUSTED_PROXIES}: address ranges whose {@code X-Forwarded-*} and
 *        {@code Forwarded} headers are believed; default loopback and private networks
 */
@Validated
@ConfigurationProperties("chat.http")
public record HttpProperties(List<String> allowedOrigins, List<String> trustedProxies) {

    public HttpProperties {
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        trustedProxies = trustedProxies == null ? List.of() : trustedProxies;
        Cidr.parseAll(trustedProxies);
    }
}
