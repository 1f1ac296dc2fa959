package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.vertx.core.Vertx;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery connects to the address the guard checked, not to what the name resolves to when connecting
 * (DNS rebinding), and HTTPS still checks the certificate against the host name. Receivers are on
 * loopback only; names are resolved by an injected resolver, so a failing pin never leaves this machine.
 */
class PinnedDeliveryTest {
    private static final String PASSWORD = "changeit";
    private static final Vertx vertx = Vertx.vertx();
    @TempDir
    static Path dir;
    private static Path keystore;
    private final byte[] body = "{\"op\":\"insert\"}".getBytes(StandardCharsets.UTF_8);
    private final List<String> checkedGot = new CopyOnWriteArrayList<>();
    private final List<String> elsewhereGot = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    /** A self-signed certificate for webhook.test, made by the JDK's keytool. */
    @BeforeAll
    static void certificate() throws Exception {
        keystore = dir.resolve("webhook.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-keyalg", "EC", "-alias", "webhook", "-dname", "CN=webhook.test", "-ext", "SAN=dns:webhook.test", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD).redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void stopReceivers() {
        servers.forEach(s -> s.stop(0));
    }

    private WebhookSender sender(io.vertx.core.http.HttpClientOptions options) {
        Clock clock = Clock.systemUTC();
        return new WebhookSender(vertx.createHttpClient(options), new WebhookSigner(clock),
                new RetrySchedule(List.of(Duration.ofSeconds(5)), () -> 0.5), Duration.ofSeconds(15), clock); // a first TLS handshake is slow on a busy machine
    }

    private static UrlGuard guardResolving(String name, String... answers) {
        AtomicInteger lookups = new AtomicInteger();
        return new UrlGuard(host -> {
            assertThat(host).isEqualTo(name);
            int answer = Math.min(lookups.getAndIncrement(), answers.length - 1);
            return new InetAddress[] {InetAddress.getByName(answers[answer])};
        }, new UrlGuard.Allow(true, false));
    }

    private HttpServer receiver(HttpServer server, List<String> got) {
        server.createContext("/", exchange -> {
            got.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server;
    }

    @Test
    void aNameThatResolvesElsewhereAfterTheCheckIsStillDeliveredToTheCheckedAddress() throws IOException {
        // the checked receiver on 127.0.0.2; on the same port at 127.0.0.1, where localhost resolves for everyone
        // else (the system resolver) and for the guard's resolver from its second lookup on: a stand-in for an
        // internal service the name is rebound to
        int port = -1;
        for (int tries = 0; port == -1 && tries < 20; tries++) {
            HttpServer checked = receiver(HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0), checkedGot);
            try {
                receiver(HttpServer.create(new InetSocketAddress("127.0.0.1", checked.getAddress().getPort()), 0), elsewhereGot);
                port = checked.getAddress().getPort();
            } catch (BindException taken) {
                servers.remove(checked);
                checked.stop(0);
            }
        }
        assertThat(port).as("a port free on both 127.0.0.1 and 127.0.0.2").isNotEqualTo(-1);
        UrlGuard guard = guardResolving("localhost", "127.0.0.2", "127.0.0.1");
        UrlGuard.Vetted vetted = guard.check("http://localhost:" + port + "/hook", "url");

        WebhookSender.Outcome outcome = sender(WebhookSender.options(Duration.ofSeconds(2))).send(vetted, "e", body, List.of(), 1);

        assertThat(outcome).isEqualTo(new WebhookSender.Outcome.Delivered(204));
        assertThat(checkedGot).containsExactly("localhost:" + port);
        assertThat(elsewhereGot).as("the address the name resolves to after the check").isEmpty();
    }

    @Test
    void httpsToThePinnedAddressPresentsTheHostNameForSniAndTheCertificateCheck() throws Exception {
        int port = https();
        UrlGuard.Vetted vetted = guardResolving("webhook.test", "127.0.0.1").check("https://webhook.test:" + port + "/hook", "url");

        WebhookSender.Outcome outcome = sender(trusting()).send(vetted, "e", body, List.of(), 1);

        assertThat(outcome).isEqualTo(new WebhookSender.Outcome.Delivered(204));
        assertThat(serverNames).containsExactly("webhook.test");
        assertThat(checkedGot).containsExactly("webhook.test:" + port);
    }

    @Test
    void aCertificateForAnotherNameIsRefusedThoughTheAddressIsTheSame() throws Exception {
        int port = https();
        UrlGuard.Vetted vetted = guardResolving("other.test", "127.0.0.1").check("https://other.test:" + port + "/hook", "url");

        WebhookSender.Outcome outcome = sender(trusting()).send(vetted, "e", body, List.of(), 1);

        assertThat(outcome).isInstanceOf(WebhookSender.Outcome.RetryLater.class)
                .extracting(o -> ((WebhookSender.Outcome.RetryLater) o).error()).asString()
                .contains("SSLHandshakeException").contains("No subject alternative DNS name matching other.test");
        assertThat(checkedGot).isEmpty();
    }

    @Test
    void anIpv6LiteralGoesInTheHostHeaderAsWrittenInTheUrl() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        HttpServer server = receiver(HttpServer.create(new InetSocketAddress(v6, 0), 0), checkedGot);
        String authority = "[::1]:" + server.getAddress().getPort();
        UrlGuard.Vetted vetted = new UrlGuard(InetAddress::getAllByName, new UrlGuard.Allow(true, false))
                .check("http://" + authority + "/hook?a=b", "url");

        WebhookSender.Outcome outcome = sender(WebhookSender.options(Duration.ofSeconds(2))).send(vetted, "e", body, List.of(), 1);

        assertThat(outcome).isEqualTo(new WebhookSender.Outcome.Delivered(204));
        assertThat(checkedGot).containsExactly(authority);
    }

    /** Trusts the test certificate and nothing else: a name mismatch is the only way to fail. */
    private static io.vertx.core.http.HttpClientOptions trusting() {
        return WebhookSender.options(Duration.ofSeconds(2)).setTrustOptions(new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD));
    }

    /** An HTTPS receiver on loopback with the webhook.test certificate, recording the server names clients ask for. */
    private int https() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(KeyStore.getInstance(keystore.toFile(), PASSWORD.toCharArray()), PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = tls.getDefaultSSLParameters();
                parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                    @Override
                    public boolean matches(SNIServerName name) {
                        serverNames.add(((SNIHostName) name).getAsciiName());
                        return true;
                    }
                }));
                params.setSSLParameters(parameters);
            }
        });
        return receiver(server, checkedGot).getAddress().getPort();
    }
}
