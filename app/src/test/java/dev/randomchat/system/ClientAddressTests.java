package dev.randomchat.system;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTests {

    @Test
    void keysIpv4AddressesAsThemselves() {
        assertThat(key("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(key("192.0.2.2")).isNotEqualTo(key("192.0.2.1"));
    }

    @Test
    void keysIpv6AddressesByTheirSlash64() {
        assertThat(key("2001:db8:1:2::1")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(key("2001:db8:1:2:ffff:ffff:ffff:ffff")).isEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("2001:db8:1:3::1")).isNotEqualTo(key("2001:db8:1:2::1"));
        assertThat(key("::1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    @Test
    void anUnknownOrUnresolvedAddressIsNeverTheClientsText() {
        assertThat(ClientAddress.of((InetSocketAddress) null)).isEqualTo(ClientAddress.UNKNOWN);
        assertThat(ClientAddress.of(InetSocketAddress.createUnresolved("not-an-ip", 80))).isEqualTo(ClientAddress.UNKNOWN);
    }

    @Test
    void readsOnlyIpLiterals() {
        assertThat(ClientAddress.literal("192.0.2.1")).map(InetAddress::getHostAddress).contains("192.0.2.1");
        assertThat(ClientAddress.literal("2001:DB8::1")).map(InetAddress::getHostAddress).contains("2001:db8:0:0:0:0:0:1");
        for (String text : new String[] {"", "beef", "localhost", "example.com", "256.1.1.1", "1.2.3", "1.2.3.4.5",
                "2001:db8::zz", ":::", "fe80::1%eth0", " 192.0.2.1"}) {
            assertThat(ClientAddress.literal(text)).as(text).isEmpty();
        }
    }

    private static String key(String literal) {
        return ClientAddress.key(ClientAddress.literal(literal).orElseThrow());
    }
}
