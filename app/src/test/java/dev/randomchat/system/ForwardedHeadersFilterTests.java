package dev.randomchat.system;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedHeadersFilterTests {

    private final ForwardedHeadersFilter filter = new ForwardedHeadersFilter(
            Cidr.parseAll(List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8")));

    @Test
    void appliesForwardedHeadersFromTrustedProxy() {
        ServerHttpRequest seen = filtered(request("10.1.2.3"));

        assertThat(seen.getURI()).isEqualTo(URI.create("https://chat.example.com/ws"));
        assertThat(seen.getHeaders().containsHeader("X-Forwarded-Proto")).isFalse();
    }

    @Test
    void stripsForwardedHeadersFromAnyoneElse() {
        ServerHttpRequest seen = filtered(request("203.0.113.7"));

        assertThat(seen.getURI().getScheme()).isEqualTo("http");
        assertThat(seen.getURI().getHost()).isEqualTo("127.0.0.1");
        assertThat(seen.getHeaders().containsHeader("X-Forwarded-Proto")).isFalse();
        assertThat(seen.getHeaders().containsHeader("X-Forwarded-Host")).isFalse();
    }

    @Test
    void trustsLoopbackOverIpv6() {
        assertThat(filtered(request("::1")).getURI().getScheme()).isEqualTo("https");
    }

    @Test
    void cidrMatchesWholeAndPartialBytes() {
        assertThat(Cidr.parse("172.16.0.0/12").contains(address("172.31.255.255"))).isTrue();
        assertThat(Cidr.parse("172.16.0.0/12").contains(address("172.32.0.0"))).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains(address("::1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.7").contains(address("192.168.1.7"))).isTrue();
        assertThat(Cidr.parse("192.168.1.7").contains(address("192.168.1.8"))).isFalse();
    }

    private ServerHttpRequest filtered(MockServerHttpRequest request) {
        AtomicReference<ServerHttpRequest> seen = new AtomicReference<>();
        filter.filter(MockServerWebExchange.from(request), exchange -> {
            seen.set(exchange.getRequest());
            return Mono.empty();
        }).as(StepVerifier::create).verifyComplete();
        return seen.get();
    }

    private static MockServerHttpRequest request(String from) {
        return MockServerHttpRequest.get("http://127.0.0.1:8080/ws")
                .remoteAddress(new InetSocketAddress(address(from), 40000))
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "chat.example.com")
                .build();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException ex) {
            throw new IllegalArgumentException(ex);
        }
    }
}
