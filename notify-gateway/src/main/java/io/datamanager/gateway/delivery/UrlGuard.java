package io.datamanager.gateway.delivery;

import io.datamanager.model.ValidationException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SSRF guard of webhook URLs: a URL whose host resolves to a loopback or private address is refused
 * unless the operator allows that kind; link-local (cloud metadata), unspecified, multicast and other
 * special-purpose addresses always are ({@link AddressRules} says what an address is, IPv4 embedded in
 * IPv6 included). A host written as a number other than {@code a.b.c.d} is refused before any lookup.
 * Every address a name resolves to is checked, at registration and again before every delivery attempt,
 * and delivery connects to the address checked ({@link Vetted}), never resolving the name again: a DNS
 * answer that changes in between (rebinding) cannot move it. The resolver is injectable for tests.
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

    /**
     * A URL that passed: its host as written (no brackets), its port, and the addresses checked.
     * Delivery connects to {@link #address()} and names {@code host} in the Host header, SNI and
     * certificate check.
     */
    public record Vetted(URI uri, String host, int port, List<InetAddress> addresses) {
        public Vetted {
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a vetted URL has at least one checked address");
            }
        }

        public boolean https() {
            return uri.getScheme().equalsIgnoreCase("https");
        }

        /** The address delivery connects to: the first one checked, as a client would take the first answer. */
        public InetAddress address() {
            return addresses.get(0);
        }
    }

    /** A host whose last label is a number is an IPv4 address to every client (WHATWG URL), in forms they read differently. */
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?:^|.*\\.)(?:\\d+|0[xX][0-9a-fA-F]*)\\.?");
    private static final Pattern AUTHORITY = Pattern.compile("(.*?)(?::(\\d{0,5}))?");
    private static final Pattern DOTTED_QUAD = Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private final Resolver resolver;
    private final Allow allow;

    public UrlGuard(Resolver resolver, Allow allow) {
        this.resolver = resolver;
        this.allow = allow;
    }

    /** What a URL says before any lookup: checked once per URL text, since delivery checks it again before every attempt. */
    private record Target(URI uri, String scheme, String host, int port) {}

    /** Most URL texts and addresses remembered; past it they are forgotten all at once and checked afresh. */
    private static final int REMEMBERED = 1024;

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Map<InetAddress, Optional<String>> refusals = new ConcurrentHashMap<>();

    public Vetted check(String url, String field) {
        Target target = url == null ? null : targets.get(url);
        if (target == null) {
            target = target(url, field); // a URL refused is not remembered: it throws every time, naming the caller's field
            if (targets.size() >= REMEMBERED) {
                targets.clear();
            }
            targets.put(url, target);
        }
        return vet(target, field);
    }

    private static Target target(String url, String field) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new ValidationException(field, "is not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ValidationException(field, "must be an http or https URL");
        }
        if (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
            throw new ValidationException(field, "must not carry credentials; use the subscription's secret to authenticate");
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null && uri.getRawAuthority() != null) {
            // java.net.URI leaves the host null for forms such as 127.1 or a_b.example that clients still resolve
            Matcher authority = AUTHORITY.matcher(uri.getRawAuthority());
            authority.matches();
            host = authority.group(1);
            port = authority.group(2) == null || authority.group(2).isEmpty() ? -1 : Integer.parseInt(authority.group(2));
        }
        if (host == null || host.isBlank()) {
            throw new ValidationException(field, "must name a host");
        }
        if (port > 65535) {
            throw new ValidationException(field, "port " + port + " is out of range");
        }
        host = host.startsWith("[") && host.endsWith("]") && host.length() > 1 ? host.substring(1, host.length() - 1) : host;
        if (!host.contains(":") && NUMERIC_LAST_LABEL.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
            throw new ValidationException(field, "host '" + host + "' is an IPv4 address in a form clients read differently"
                    + " (decimal, octal, hex or short); write it as four decimal parts, a.b.c.d");
        }
        return new Target(uri, scheme, host, port);
    }

    /** Looks the host up now and checks every address it has now: never remembered, so a DNS answer that changes is seen. */
    private Vetted vet(Target target, String field) {
        String host = target.host();
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Unresolved(field, host);
        }
        if (addresses == null || addresses.length == 0) {
            throw new Unresolved(field, host);
        }
        for (InetAddress address : addresses) {
            String refused = rememberedRefusal(address);
            if (refused != null) {
                throw new ValidationException(field, "resolves to " + address.getHostAddress() + refused
                        + "; webhooks may only reach such addresses when the operator allows them");
            }
        }
        return new Vetted(target.uri(), host, target.port() != -1 ? target.port() : target.scheme().equals("https") ? 443 : 80,
                List.of(addresses));
    }

    /**
     * A host that does not resolve now: refused at registration, but during delivery a passing DNS failure, to
     * retry on the schedule rather than give the change up.
     */
    public static final class Unresolved extends ValidationException {
        Unresolved(String field, String host) {
            super(field, "host '" + host + "' does not resolve");
        }
    }

    /** {@link #refusal}, worked out once per address: what an address is and what the operator allows do not change. */
    private String rememberedRefusal(InetAddress address) {
        Optional<String> known = refusals.get(address);
        if (known == null) {
            known = Optional.ofNullable(refusal(address));
            if (refusals.size() >= REMEMBERED) {
                refusals.clear();
            }
            refusals.put(address, known);
        }
        return known.orElse(null);
    }

    /** Why an address is refused (", a loopback address"), or null when it may be reached. */
    String refusal(InetAddress address) {
        List<AddressRules.Finding> findings = AddressRules.classify(address).stream()
                .sorted(Comparator.comparing(AddressRules.Finding::kind)).toList(); // the most severe speaks
        for (AddressRules.Finding finding : findings) {
            boolean allowed = switch (finding.kind()) {
                case PUBLIC -> true;
                case LOOPBACK -> allow.loopback();
                case PRIVATE -> allow.privateNetworks();
                default -> false;
            };
            if (!allowed) {
                String embeds = finding.embedded() == null ? "" : " (it embeds " + finding.embedded().getHostAddress() + ")";
                String kind = finding.kind().text;
                return embeds + (kind.matches("[aeiou].*") ? ", an " : ", a ") + kind + " address";
            }
        }
        return null;
    }
}
