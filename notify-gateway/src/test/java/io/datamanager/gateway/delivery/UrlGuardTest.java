package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datamanager.model.ValidationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Loopback forms are checked for real; other kinds through an injected resolver that hands back addresses
 * built from bytes, so nothing here ever connects anywhere.
 */
class UrlGuardTest {
    private static final Map<String, byte[]> NAMES = Map.of(
            "public.example", new byte[] {93, (byte) 184, (byte) 215, 14},
            "intranet.example", new byte[] {10, 1, 2, 3},
            "office.example", new byte[] {(byte) 192, (byte) 168, 1, 1},
            "metadata.example", new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254},
            "cgnat.example", new byte[] {100, 64, 0, 1},
            "mapped.example", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1},
            "ula.example", new byte[] {(byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        byte[] bytes = NAMES.get(host);
        return bytes != null ? new InetAddress[] {InetAddress.getByAddress(host, bytes)} : InetAddress.getAllByName(host);
    }

    private final UrlGuard strict = new UrlGuard(UrlGuardTest::resolve, UrlGuard.Allow.NONE);

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://127.1/hook", "http://[::1]:8080/hook", "http://localhost/hook",
        "http://mapped.example/hook"})
    void loopbackIsRefusedByDefault(String url) {
        assertThatThrownBy(() -> strict.check(url, "delivery.webhook.url")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("loopback").extracting("field").isEqualTo("delivery.webhook.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://intranet.example/h", "https://office.example/h", "http://cgnat.example/h", "http://ula.example/h"})
    void privateNetworksAreRefusedByDefault(String url) {
        assertThatThrownBy(() -> strict.check(url, "url")).hasMessageContaining("private-network");
    }

    @Test
    void cloudMetadataIsRefusedEvenWhenPrivateNetworksAreAllowed() {
        UrlGuard lenient = new UrlGuard(UrlGuardTest::resolve, new UrlGuard.Allow(true, true));
        assertThatThrownBy(() -> lenient.check("http://metadata.example/latest/meta-data", "url")).hasMessageContaining("link-local");
        assertThat(lenient.check("http://intranet.example/h", "url").addresses()).hasSize(1);
    }

    @Test
    void theLocalStackMayAllowLoopback() {
        UrlGuard local = new UrlGuard(UrlGuardTest::resolve, new UrlGuard.Allow(true, false));
        assertThat(local.check("http://127.0.0.1:8089/hook", "url").uri().getPort()).isEqualTo(8089);
        assertThatThrownBy(() -> local.check("http://intranet.example/h", "url")).hasMessageContaining("private-network");
    }

    @Test
    void publicAddressesPassWithTheAddressesDeliveryWillUse() {
        UrlGuard.Vetted vetted = strict.check("https://public.example/hooks/orders", "url");
        assertThat(vetted.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.215.14");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://public.example/x", "not a url", "http:///nohost", "https://user:pw@public.example/h"})
    void malformedOrUnsafeUrlsAreRefusedNamingTheField(String url) {
        assertThatThrownBy(() -> strict.check(url, "delivery.webhook.url")).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo("delivery.webhook.url");
    }
}
