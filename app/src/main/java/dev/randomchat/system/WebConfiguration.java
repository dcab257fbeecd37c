package dev.randomchat.system;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    static {
        // Reactor Netty 1.3.7 can leave the next request on a kept-alive connection unanswered
        // (reactor/reactor-netty#4361); this switch makes it flush when no read is pending.
        // Read once, when Reactor Netty's HTTP handler class loads, so it is set here, early.
        System.setProperty("reactor.netty.http.server.lastFlushWhenNoRead", "true");
    }

    @Bean
    ForwardedHeadersFilter forwardedHeadersFilter(HttpProperties http) {
        return new ForwardedHeadersFilter(Cidr.parseAll(http.trustedProxies()));
    }

    @Bean
    SecurityHeadersFilter securityHeadersFilter() {
        return new SecurityHeadersFilter();
    }

    @Bean
    StrictJsonTypes strictJsonTypes() {
        return new StrictJsonTypes();
    }

    /** Applied by Spring Boot to the public port's server; {@link ManagementServer} applies its own. */
    @Bean
    HttpServerSettings httpServerSettings(HttpProperties http) {
        return new HttpServerSettings(http.idleTimeout());
    }

    @Bean
    ManagementServer managementServer(HttpProperties http, ServerProperties server, ObjectProvider<HttpHandler> handler,
            ReactorResourceFactory resources, ConfigurableEnvironment environment) {
        return new ManagementServer(http, server, handler, resources, environment);
    }

    @Bean
    ManagementPortFilter managementPortFilter(ManagementServer management) {
        return new ManagementPortFilter(management);
    }
}
