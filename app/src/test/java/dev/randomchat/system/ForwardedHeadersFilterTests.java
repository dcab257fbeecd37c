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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void passesARequestWithoutForwardedHeadersOnAsItIs() {
        for (String from : new String[] {"127.0.0.1", "203.0.113.7"}) {
            MockServerHttpRequest plain = MockServerHttpRequest.get("http://127.0.0.1:8080/api/guest")
                    .remoteAddress(new InetSocketAddress(address(from), 40000))
                    .header("User-Agent", "test")
                    .build();

            assertThat(filtered(plain)).as("from %s", from).isSameAs(plain);
        }
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

    @Test
    void takesTheClientFromForwardedForOfATrustedProxyOnly() {
        MockServerHttpRequest proxied = MockServerHttpRequest.get("http://127.0.0.1:8080/")
                .remoteAddress(new InetSocketAddress(address("10.1.2.3"), 40000))
                .header("X-Forwarded-For", "198.51.100.1, 203.0.113.9")
                .header("Forwarded", "for=192.0.2.66")
                .build();
        MockServerHttpRequest direct = MockServerHttpRequest.get("http://127.0.0.1:8080/")
                .remoteAddress(new InetSocketAddress(address("203.0.113.7"), 40000))
                .header("X-Forwarded-For", "198.51.100.1")
                .header("Forwarded", "for=192.0.2.66")
                .build();

        assertThat(ClientAddress.of(filtered(proxied))).as("the hop the proxy appended").isEqualTo("203.0.113.9");
        assertThat(ClientAddress.of(filtered(direct))).as("an untrusted peer is itself").isEqualTo("203.0.113.7");
    }

    /** {@code beef} and {@code cafe} are hex digits, and names: never looked up, never a key. */
    @Test
    void forwardedValuesThatAreNotIpAddressesAreIgnored() {
        for (String value : new String[] {"not-an-ip", "beef", "cafe.example", "unknown", "_hidden", "1.2.3", "999.1.1.1",
                "localhost"}) {
            MockServerHttpRequest proxied = MockServerHttpRequest.get("http://127.0.0.1:8080/")
                    .remoteAddress(new InetSocketAddress(address("10.1.2.3"), 40000))
                    .header("X-Forwarded-For", value)
                    .header("Forwarded", "for=" + value)
                    .build();

            assertThat(ClientAddress.of(filtered(proxied))).as("client behind %s", value).isEqualTo("10.1.2.3");
        }
    }

    @Test
    void readsBracketedAndPortedForwardedForEntries() {
        MockServerHttpRequest proxied = MockServerHttpRequest.get("http://127.0.0.1:8080/")
                .remoteAddress(new InetSocketAddress(address("10.1.2.3"), 40000))
                .header("X-Forwarded-For", "[2001:db8::1]:4711")
                .build();

        assertThat(ClientAddress.of(filtered(proxied))).isEqualTo("2001:db8:0:0:0:0:0:0/64");
    }

    @Test
    void cidrRefusesHostNames() {
        assertThatThrownBy(() -> Cidr.parse("proxy.example/32")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("beef")).isInstanceOf(IllegalArgumentException.class);
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
