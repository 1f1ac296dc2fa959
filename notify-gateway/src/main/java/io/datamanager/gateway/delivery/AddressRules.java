package io.datamanager.gateway.delivery;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * What an IP address is to the SSRF guard. An IPv6 address that carries an IPv4 address (mapped,
 * compatible, translated, NAT64, 6to4, Teredo, ISATAP) is judged by the IPv4 rules as well, because the
 * network delivers it to that IPv4 address: {@code [::127.0.0.1]}, {@code [64:ff9b::7f00:1]} and
 * {@code [2002:7f00:1::]} are all loopback. IPv6 is public only in global unicast {@code 2000::/3}; the
 * local-use NAT64 prefix {@code 64:ff9b:1::/48} is refused, since where it carries the IPv4 address depends on
 * the translator's configuration.
 */
final class AddressRules {
    /** The kinds, most severe first; only the last three can be allowed (loopback, private networks, public). */
    enum Kind {
        UNSPECIFIED("unspecified"),
        MULTICAST("multicast"),
        BROADCAST("broadcast"),
        LINK_LOCAL("link-local (cloud metadata)"),
        RESERVED("reserved or special-purpose"),
        LOOPBACK("loopback"),
        PRIVATE("private-network"),
        PUBLIC("public");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    /** One thing an address is; {@code embedded} is the IPv4 address it carries when that decided it, else null. */
    record Finding(Kind kind, Inet4Address embedded) {}

    private AddressRules() {}

    /** Every kind the address is, with the IPv4 address each comes from (an IPv6 address and what it embeds can differ). */
    static List<Finding> classify(InetAddress address) {
        byte[] b = address.getAddress();
        List<Finding> findings = new ArrayList<>();
        if (b.length == 4) {
            findings.add(new Finding(ipv4(b), null));
        } else {
            ipv6(b, findings);
        }
        return findings;
    }

    private static Kind ipv4(byte[] b) {
        int a0 = b[0] & 0xFF, a1 = b[1] & 0xFF, a2 = b[2] & 0xFF;
        if (a0 == 0) {
            return Kind.UNSPECIFIED; // 0.0.0.0/8, "this network": Linux connects 0.0.0.0 to loopback
        }
        if (a0 == 127) {
            return Kind.LOOPBACK;
        }
        if (a0 == 169 && a1 == 254) {
            return Kind.LINK_LOCAL; // 169.254.169.254 is the cloud metadata service
        }
        if (a0 >= 224 && a0 <= 239) {
            return Kind.MULTICAST;
        }
        if ((b[0] & b[1] & b[2] & b[3] & 0xFF) == 0xFF) {
            return Kind.BROADCAST;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xF0) == 16) || (a0 == 192 && a1 == 168)
                || (a0 == 100 && (a1 & 0xC0) == 64)) { // RFC 1918 and 100.64.0.0/10, carrier-grade NAT
            return Kind.PRIVATE;
        }
        boolean reserved = a0 >= 240 // 240.0.0.0/4
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) // IETF protocol assignments, TEST-NET-1
                || (a0 == 192 && a1 == 88 && a2 == 99) // 6to4 relay anycast (deprecated)
                || (a0 == 198 && (a1 & 0xFE) == 18) // 198.18.0.0/15, benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113); // TEST-NET-2, -3
        return reserved ? Kind.RESERVED : Kind.PUBLIC;
    }

    private static void ipv6(byte[] b, List<Finding> findings) {
        int w0 = word(b, 0), w1 = word(b, 2);
        if (zero(b, 0, 10) && (b[10] & b[11] & 0xFF) == 0xFF) { // ::ffff:a.b.c.d, IPv4-mapped
            embedded(b, 12, findings);
        } else if (zero(b, 0, 12)) {
            if (zero(b, 12, 15) && (b[15] == 0 || b[15] == 1)) {
                findings.add(new Finding(b[15] == 0 ? Kind.UNSPECIFIED : Kind.LOOPBACK, null));
            } else {
                embedded(b, 12, findings); // ::a.b.c.d, IPv4-compatible (deprecated, still tunnelled by some stacks)
            }
        } else if (zero(b, 0, 8) && (b[8] & b[9] & 0xFF) == 0xFF && zero(b, 10, 12)) {
            embedded(b, 12, findings); // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
        } else if (w0 == 0x64 && w1 == 0xFF9B && zero(b, 4, 12)) {
            embedded(b, 12, findings); // 64:ff9b::/96, NAT64 well-known prefix
        } else if (w0 == 0x64 && w1 == 0xFF9B && word(b, 4) == 1) {
            // 64:ff9b:1::/48, local-use NAT64: where the IPv4 address sits depends on the translator's prefix
            // length, unknown here, so it cannot be checked
            findings.add(new Finding(Kind.RESERVED, null));
        } else if (w0 == 0x2001 && w1 == 0) { // 2001::/32, Teredo: server at bits 32..63, client inverted in the last 32
            findings.add(new Finding(Kind.PUBLIC, null));
            embedded(b, 4, findings);
            embedded(new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]}, 0, findings);
        } else if (w0 == 0x2002) { // 2002::/16, 6to4: bits 16..47
            findings.add(new Finding(Kind.PUBLIC, null));
            embedded(b, 2, findings);
        } else {
            findings.add(new Finding(ipv6Range(b, w0, w1), null));
        }
        boolean isatap = (b[8] & 0xFD) == 0 && b[9] == 0 && (b[10] & 0xFF) == 0x5E && (b[11] & 0xFF) == 0xFE;
        if (isatap) { // ISATAP interface id ::[02]00:5efe:a.b.c.d tunnels to a.b.c.d inside its site
            embedded(b, 12, findings);
        }
    }

    private static Kind ipv6Range(byte[] b, int w0, int w1) {
        if ((b[0] & 0xFF) == 0xFF) {
            return Kind.MULTICAST;
        }
        if ((w0 & 0xFFC0) == 0xFE80) {
            return Kind.LINK_LOCAL;
        }
        if ((b[0] & 0xFE) == 0xFC || (w0 & 0xFFC0) == 0xFEC0) { // fc00::/7 unique local, fec0::/10 site-local (deprecated)
            return Kind.PRIVATE;
        }
        boolean reserved = (b[0] & 0xE0) != 0x20 // outside global unicast 2000::/3: unassigned, 100::/64 discard, ...
                || (w0 == 0x2001 && (w1 & 0xFE00) == 0) // 2001::/23, IETF protocol assignments (benchmarking, ORCHID, ...)
                || (w0 == 0x2001 && w1 == 0x0DB8) // 2001:db8::/32, documentation
                || (w0 & 0xFFF0) == 0x3FF0; // 3fff::/20, documentation
        return reserved ? Kind.RESERVED : Kind.PUBLIC;
    }

    private static void embedded(byte[] b, int from, List<Finding> findings) {
        byte[] v4 = {b[from], b[from + 1], b[from + 2], b[from + 3]};
        try {
            findings.add(new Finding(ipv4(v4), (Inet4Address) InetAddress.getByAddress(v4)));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
