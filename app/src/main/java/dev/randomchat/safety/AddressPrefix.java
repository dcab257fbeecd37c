package dev.randomchat.safety;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The part of a client address that a ban names: an IPv4 address whole, an IPv6 address by its /64
 * prefix (one subscriber usually holds a whole /64, so banning one /128 bans nobody).
 */
final class AddressPrefix {

    /** Only literal addresses: a name here would make {@link InetAddress} ask DNS, on an event loop. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}(/64)?");

    private AddressPrefix() {
    }

    /** {@code 203.0.113.9}, or {@code 2001:db8:1:2::/64} for any address in that /64; empty when not an address. */
    static Optional<String> of(String address) {
        if (address == null || !LITERAL.matcher(address).matches()) {
            return Optional.empty();
        }
        String literal = address.endsWith("/64") ? address.substring(0, address.length() - 3) : address;
        try {
            InetAddress parsed = InetAddress.getByName(literal);
            if (parsed instanceof Inet6Address) {
                byte[] prefix = Arrays.copyOf(parsed.getAddress(), 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                return Optional.of(compress(InetAddress.getByAddress(prefix).getHostAddress()) + "/64");
            }
            if (address.endsWith("/64")) {
                return Optional.empty();
            }
            return Optional.of(parsed.getHostAddress());
        }
        catch (UnknownHostException ex) {
            return Optional.empty();
        }
    }

    /** Java writes {@code 2001:db8:1:2:0:0:0:0}; people write {@code 2001:db8:1:2::}. */
    private static String compress(String full) {
        return full.endsWith(":0:0:0:0") ? full.substring(0, full.length() - ":0:0:0:0".length()) + "::" : full;
    }
}
