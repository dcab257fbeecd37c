package dev.randomchat.system;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The client's address as every per-address limit and ban keys it (docs/protocol.md 6.4): an IPv4 address
 * as itself, an IPv6 address by its /64 prefix ({@code 2001:db8:0:0:0:0:0:0/64}), since one
 * subscriber usually holds a whole /64 and could otherwise step around any limit. The address is
 * the connection's peer, or the client a trusted proxy named ({@link ForwardedHeadersFilter}).
 */
public final class ClientAddress {

    /** What a key says when the address is not known; never a client's own text. */
    static final String UNKNOWN = "unknown";
    private static final int IPV6_GROUP_BYTES = 8;
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private ClientAddress() {
    }

    public static String of(ServerHttpRequest request) {
        return of(request.getRemoteAddress());
    }

    public static String of(InetSocketAddress remote) {
        if (remote == null || remote.getAddress() == null) {
            return UNKNOWN;
        }
        return key(remote.getAddress());
    }

    /** The limit and ban key of one address: IPv4 as is, IPv6 by its /64 prefix. */
    public static String key(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(prefix, IPV6_GROUP_BYTES, prefix.length, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", ex);
        }
    }

    /**
     * An IP address written as a literal ({@code 192.0.2.1}, {@code 2001:db8::1}), or empty for
     * anything else. Never a DNS lookup: a name, {@code unknown} or {@code _hidden} is no address.
     */
    public static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(v4.group(i + 1));
                if (part > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) part;
            }
            return Optional.of(address(bytes));
        }
        if (!IPV6.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            // With a ':' in it, the JDK parses the text as an IPv6 literal and never resolves it.
            return Optional.of(InetAddress.getByName(text));
        }
        catch (UnknownHostException ex) {
            return Optional.empty();
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", ex);
        }
    }
}
