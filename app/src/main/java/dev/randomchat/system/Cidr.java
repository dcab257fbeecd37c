package dev.randomchat.system;

import java.net.InetAddress;
import java.util.List;

/** An address range such as {@code 10.0.0.0/8} or {@code ::1/128}, written with IP literals (never a host name). */
public record Cidr(byte[] network, int prefix) {

    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        try {
            InetAddress address = ClientAddress.literal(slash < 0 ? trimmed : trimmed.substring(0, slash))
                    .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + text));
            byte[] bytes = address.getAddress();
            int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            return new Cidr(bytes, prefix);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("not an address range: " + text, ex);
        }
    }

    public static List<Cidr> parseAll(List<String> texts) {
        return texts.stream().filter(t -> !t.isBlank()).map(Cidr::parse).toList();
    }

    public static boolean anyContains(List<Cidr> ranges, InetAddress address) {
        return address != null && ranges.stream().anyMatch(range -> range.contains(address));
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest);
        return (candidate[full] & mask) == (network[full] & mask);
    }
}
