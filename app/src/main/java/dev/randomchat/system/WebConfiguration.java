package dev.randomchat.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
}
