package io.datamanager.gateway.delivery;

import io.datamanager.model.ValidationException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The SSRF guard of webhook URLs: a URL whose host resolves to a loopback, private, link-local (cloud
 * metadata), unique-local, carrier-grade NAT, multicast or unspecified address is refused unless the
 * operator allowed that kind. Every address a name resolves to is checked, at registration and again
 * before every delivery attempt. (The HTTP client still resolves the name itself when it connects, so a
 * DNS answer that changes between the check and the connection is not caught yet: pinning the checked
 * address is open work.) The resolver is injectable for tests.
 */
public final class UrlGuard {
    /** Looks a host name up; {@code InetAddress::getAllByName} outside tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** What the operator allows besides public addresses. */
    public record Allow(boolean loopback, boolean privateNetworks) {
        public static final Allow NONE = new Allow(false, false);
    }

    /** A URL that passed, with the addresses delivery may connect to. */
    public record Vetted(URI uri, List<InetAddress> addresses) {}

    private final Resolver resolver;
    private final Allow allow;

    public UrlGuard(Resolver resolver, Allow allow) {
        this.resolver = resolver;
        this.allow = allow;
    }

    public Vetted check(String url, String field) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new ValidationException(field, "is not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ValidationException(field, "must be an http or https URL");
        }
        if (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
            throw new ValidationException(field, "must not carry credentials; use the subscription's secret to authenticate");
        }
        // java.net.URI leaves the host null for forms such as 127.1 that HTTP clients still resolve: take the authority
        String host = uri.getHost() != null ? uri.getHost()
                : uri.getRawAuthority() == null ? null : uri.getRawAuthority().replaceFirst(":\\d*$", "");
        if (host == null || host.isBlank()) {
            throw new ValidationException(field, "must name a host");
        }
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new ValidationException(field, "host '" + host + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            String refused = refusal(address);
            if (refused != null) {
                throw new ValidationException(field, "resolves to " + address.getHostAddress() + ", a " + refused
                        + " address; webhooks may only reach such addresses when the operator allows them");
            }
        }
        return new Vetted(uri, List.of(addresses));
    }

    /** Why an address is refused, or null when it may be reached. */
    String refusal(InetAddress address) {
        InetAddress a = unmapped(address);
        if (a.isLoopbackAddress()) {
            return allow.loopback() ? null : "loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local (cloud metadata)";
        }
        byte[] b = a.getAddress();
        boolean privateRange = a.isSiteLocalAddress()
                || (a instanceof Inet4Address && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64) // 100.64.0.0/10, carrier-grade NAT
                || (a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC); // fc00::/7, unique local
        if (privateRange) {
            return allow.privateNetworks() ? null : "private-network";
        }
        return null;
    }

    /** {@code ::ffff:a.b.c.d} is checked as {@code a.b.c.d}. */
    private static InetAddress unmapped(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        }
        return address;
    }
}
