package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datamanager.model.ValidationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guard only resolves, it never connects. Address literals are parsed by the JDK (no lookup); names are
 * answered by an injected resolver with addresses built from bytes, so nothing here asks DNS or the network.
 */
class UrlGuardTest {
    private static final Map<String, InetAddress[]> NAMES = Map.of(
            "public.example", addresses("93.184.215.14"),
            "intranet.example", addresses("10.1.2.3"),
            "office.example", addresses("192.168.1.1"),
            "metadata.example", addresses("169.254.169.254"),
            "cgnat.example", addresses("100.64.0.1"),
            "mapped.example", new InetAddress[] {mapped(127, 0, 0, 1)},
            "ula.example", addresses("fd00::1"),
            "twofaced.example", addresses("93.184.215.14", "127.0.0.1"),
            "under_score.example", addresses("93.184.215.14"));

    private static InetAddress[] addresses(String... literals) {
        return java.util.Arrays.stream(literals).map(l -> {
            try {
                return InetAddress.getByName(l); // a literal: parsed, not looked up
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(InetAddress[]::new);
    }

    /** {@code ::ffff:a.b.c.d} as an Inet6Address, the way a resolver may hand it back (getByName would unwrap it). */
    private static InetAddress mapped(int a, int b, int c, int d) {
        try {
            return Inet6Address.getByAddress("mapped.example", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1,
                (byte) a, (byte) b, (byte) c, (byte) d}, null);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] known = NAMES.get(host);
        if (known != null) {
            return known;
        }
        if (host.equals("localhost") || host.contains(":") || host.matches("[\\d.]+")) {
            return InetAddress.getAllByName(host);
        }
        throw new UnknownHostException(host + " (the test asks no DNS)");
    }

    private final UrlGuard strict = new UrlGuard(UrlGuardTest::resolve, UrlGuard.Allow.NONE);
    private final UrlGuard lenient = new UrlGuard(UrlGuardTest::resolve, new UrlGuard.Allow(true, true));

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://[::1]:8080/hook", "http://localhost/hook", "http://mapped.example/hook",
        "http://[::ffff:127.0.0.1]/h", "http://[::ffff:7f00:1]/h", "http://[::127.0.0.1]/h", "http://[::7f00:1]/h",
        "http://[0:0:0:0:0:0:127.0.0.1]/h", "http://[::ffff:0:127.0.0.1]/h", "http://[64:ff9b::127.0.0.1]/h",
        "http://[2002:7f00:1::]/h", "http://[2001:0:5db8:d70e::80ff:fffe]/h", "http://[2a00:1450::5efe:7f00:1]/h",
        "http://[2a00:1450::200:5efe:127.0.0.1]/h", "http://twofaced.example/h"})
    void everyLoopbackFormIsRefusedByDefault(String url) {
        assertThatThrownBy(() -> strict.check(url, "delivery.webhook.url")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("loopback").extracting("field").isEqualTo("delivery.webhook.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://metadata.example/latest/meta-data", "http://169.254.169.254/latest", "http://[::169.254.169.254]/",
        "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/", "http://[::ffff:0:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::]/", "http://[2001:0:a9fe:a9fe::a247:28f1]/", "http://[fe80::1]/"})
    void everyLinkLocalFormOfTheMetadataServiceIsRefusedEvenWhenPrivateNetworksAreAllowed(String url) {
        assertThatThrownBy(() -> lenient.check(url, "url")).hasMessageContaining("link-local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://intranet.example/h", "https://office.example/h", "http://cgnat.example/h", "http://ula.example/h",
        "http://172.16.0.1/h", "http://[::ffff:10.0.0.1]/h", "http://[64:ff9b::10.1.2.3]/h", "http://[2002:c0a8:101::]/h", "http://[fec0::1]/h"})
    void privateNetworksAreRefusedByDefaultAndPassWhenAllowed(String url) {
        assertThatThrownBy(() -> strict.check(url, "url")).hasMessageContaining("private-network");
        assertThat(new UrlGuard(UrlGuardTest::resolve, new UrlGuard.Allow(false, true)).check(url, "url").addresses()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://0.0.0.0/", "http://0.1.2.3/", "http://[::]/", "http://[::ffff:0.0.0.0]/", "http://224.0.0.1/",
        "http://[ff02::1]/", "http://255.255.255.255/", "http://240.0.0.1/", "http://198.18.0.1/", "http://192.0.2.1/",
        "http://203.0.113.9/", "http://[2001:db8::1]/", "http://[3fff::1]/", "http://[100::1]/", "http://[2001:2::1]/",
        "http://[64:ff9b:1::7f00:1]/", "http://[4000::1]/", "http://[2002:e000:1::]/"})
    void specialPurposeAddressesAreRefusedWhateverIsAllowed(String url) {
        assertThatThrownBy(() -> lenient.check(url, "url")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("address; webhooks may only reach");
    }

    @Test
    void theRefusalNamesTheIpv4AddressAnIpv6AddressCarries() {
        assertThatThrownBy(() -> strict.check("http://[2002:7f00:1::]/h", "url"))
                .hasMessageContaining("resolves to 2002:7f00:1:0:0:0:0:0 (it embeds 127.0.0.1), a loopback address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://2130706433/h", "http://0177.0.0.1/h", "http://0x7f.1/h", "http://0x7f000001/h", "http://127.1/h",
        "http://127.0.0.01/h", "http://017700000001/h", "http://127.0.0.1./h", "http://0x7F.0.0.1/h", "http://intranet.0x0a/h"})
    void ipv4InFormsClientsReadDifferentlyIsRefusedBeforeAnyLookup(String url) {
        UrlGuard neverResolves = new UrlGuard(host -> {
            throw new AssertionError("looked up " + host);
        }, new UrlGuard.Allow(true, true));
        assertThatThrownBy(() -> neverResolves.check(url, "url")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("four decimal parts, a.b.c.d");
    }

    @Test
    void aHostThatDoesNotResolveIsToldApartFromARefusedOneSoDeliveryRetriesIt() {
        assertThatThrownBy(() -> strict.check("http://nowhere.example/h", "delivery.webhook.url")).isInstanceOf(UrlGuard.Unresolved.class)
                .hasMessageContaining("does not resolve").extracting("field").isEqualTo("delivery.webhook.url");
        assertThatThrownBy(() -> strict.check("http://127.0.0.1/h", "url")).isNotInstanceOf(UrlGuard.Unresolved.class);
    }

    @Test
    void theLocalStackMayAllowLoopback() {
        UrlGuard local = new UrlGuard(UrlGuardTest::resolve, new UrlGuard.Allow(true, false));
        assertThat(local.check("http://127.0.0.1:8089/hook", "url").port()).isEqualTo(8089);
        assertThat(local.check("http://[::7f00:1]:8089/hook", "url").address().getHostAddress()).isEqualTo("0:0:0:0:0:0:7f00:1");
        assertThatThrownBy(() -> local.check("http://intranet.example/h", "url")).hasMessageContaining("private-network");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://public.example/hooks", "http://[2002:5db8:d70e::]/h", "http://[64:ff9b::93.184.215.14]/h",
        "http://[::ffff:93.184.215.14]/h", "http://[2001:0:5db8:d70e::a247:28f1]/h", "http://[2606:2800:220:1:248:1893:25c8:1946]/h"})
    void publicAddressesPassInEveryForm(String url) {
        assertThat(strict.check(url, "url").addresses()).hasSize(1);
    }

    @Test
    void aPassedUrlCarriesTheHostPortAndAddressesDeliveryWillUse() {
        UrlGuard.Vetted vetted = strict.check("https://public.example/hooks/orders", "url");
        assertThat(vetted.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.215.14");
        assertThat(vetted.host()).isEqualTo("public.example");
        assertThat(vetted.port()).isEqualTo(443);
        UrlGuard.Vetted underscore = strict.check("http://under_score.example:8443/x", "url");
        assertThat(underscore.host()).isEqualTo("under_score.example");
        assertThat(underscore.port()).isEqualTo(8443);
        assertThat(strict.check("http://[2002:5db8:d70e::]/h", "url").host()).isEqualTo("2002:5db8:d70e::");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://public.example/x", "not a url", "http:///nohost", "https://user:pw@public.example/h",
        "http://public.example:99999/h", "http://nowhere.invalid/h"})
    void malformedOrUnsafeUrlsAreRefusedNamingTheField(String url) {
        assertThatThrownBy(() -> strict.check(url, "delivery.webhook.url")).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo("delivery.webhook.url");
    }

    @Test
    void aUrlCheckedBeforeIsLookedUpAgainSoARebindingToARefusedAddressIsCaught() {
        InetAddress[][] answer = {addresses("93.184.215.14")};
        UrlGuard guard = new UrlGuard(host -> answer[0], UrlGuard.Allow.NONE);
        assertThat(guard.check("http://rebinding.example/h", "url").address().getHostAddress()).isEqualTo("93.184.215.14");
        answer[0] = addresses("127.0.0.1"); // the same URL text, remembered: its name now answers loopback
        assertThatThrownBy(() -> guard.check("http://rebinding.example/h", "delivery.webhook.url")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("loopback").extracting("field").isEqualTo("delivery.webhook.url");
        answer[0] = addresses("93.184.215.15");
        assertThat(guard.check("http://rebinding.example/h", "url").address().getHostAddress()).isEqualTo("93.184.215.15");
    }

    @Test
    void aRefusedUrlIsRefusedEveryTimeNamingTheFieldItWasCheckedFor() {
        assertThatThrownBy(() -> strict.check("ftp://public.example/x", "a")).extracting("field").isEqualTo("a");
        assertThatThrownBy(() -> strict.check("ftp://public.example/x", "b")).extracting("field").isEqualTo("b");
    }
}
