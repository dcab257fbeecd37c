package dev.randomchat.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    ForwardedHeadersFilter forwardedHeadersFilter(HttpProperties http) {
        return new ForwardedHeadersFilter(Cidr.parseAll(http.trustedProxies()));
    }

    @Bean
    SecurityHeadersFilter securityHeadersFilter() {
        return new SecurityHeadersFilter();
    }
}
