package dev.sonde.securemetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener over real sockets and real TLS, with the API server's answers from {@link FakeReviews}. */
class MetricsServerTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final MetricsServer.Exposition TEXT =
            accept -> new MetricsServer.Page("text/plain; version=0.0.4", "up 1\n");

    @Test
    void secureByDefaultWithASelfSignedCertificate() throws Exception {
        try (MetricsServer server = MetricsServer.start(new MetricsServer.Spec(LOOPBACK,
                MetricsListenerOptions.secureSelfSigned(), "sonde-test", "/metrics",
                new ScrapeAuthorizer(new FakeReviews()), TEXT, () -> true));
                HttpClient http = trustingClient()) {
            assertThat(server.scheme()).isEqualTo("https");
            URI metrics = URI.create("https://127.0.0.1:" + server.address().getPort() + "/metrics");
            HttpResponse<String> none = get(http, metrics, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(get(http, metrics, "forged").statusCode()).isEqualTo(401);
            assertThat(get(http, metrics, "nobody").statusCode()).isEqualTo(403);
            HttpResponse<String> ok = get(http, metrics, "reader");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("up 1\n");
            assertThat(get(http, metrics.resolve("/healthz"), null).statusCode()).as("probes need no token")
                    .isEqualTo(200);
            assertThat(get(http, metrics.resolve("/other"), "reader").statusCode()).isEqualTo(404);

            // self-signed: a client that verifies certificates refuses it
            try (HttpClient verifying = HttpClient.newHttpClient()) {
                assertThatThrownBy(() -> get(verifying, metrics, "reader")).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void plainHttpOnlyWhenAskedAndThenWithoutAuthentication() throws Exception {
        try (MetricsServer server = MetricsServer.start(new MetricsServer.Spec(LOOPBACK,
                MetricsListenerOptions.insecure(), "sonde-test", "/metrics", null, TEXT, null));
                HttpClient http = HttpClient.newHttpClient()) {
            assertThat(server.scheme()).isEqualTo("http");
            URI metrics = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
            assertThat(get(http, metrics, null).statusCode()).isEqualTo(200);
            assertThat(get(http, metrics.resolve("/healthz"), null).statusCode()).as("no /healthz given").isEqualTo(404);
        }
        assertThatThrownBy(() -> new MetricsServer.Spec(LOOPBACK, MetricsListenerOptions.secureSelfSigned(), "x",
                "/metrics", null, TEXT, null)).hasMessageContaining("needs an authorizer");
    }

    @Test
    void servesAMountedCertificateAndKey(@TempDir Path dir) throws Exception {
        ServingCertificate issued = ServingCertificate.selfSigned("metrics.example", List.of("metrics.example"),
                List.of(InetAddress.getLoopbackAddress()));
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        try (Writer w = Files.newBufferedWriter(cert); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(issued.chain().getFirst());
        }
        try (Writer w = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(issued.key(), null));
        }
        MetricsListenerOptions options = new MetricsListenerOptions(true, Optional.of(cert), Optional.of(key));
        try (MetricsServer server = MetricsServer.start(new MetricsServer.Spec(LOOPBACK, options, "ignored",
                "/metrics", new ScrapeAuthorizer(new FakeReviews()), TEXT, () -> true));
                HttpClient http = HttpClient.newBuilder().sslContext(trusting(issued.chain().getFirst())).build()) {
            // a client that trusts exactly the mounted certificate (and checks the 127.0.0.1 SAN) gets through
            HttpResponse<String> ok = get(http,
                    URI.create("https://127.0.0.1:" + server.address().getPort() + "/metrics"), "reader");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(issued.chain().getFirst());
        }
    }

    @Test
    void badOptionsAreClearErrors(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "not a certificate");
        assertThatThrownBy(() -> new MetricsListenerOptions(true, Optional.of(cert), Optional.empty()))
                .hasMessageContaining("both a certificate and a key");
        assertThatThrownBy(() -> new MetricsListenerOptions(false, Optional.of(cert), Optional.of(cert)))
                .hasMessageContaining("served insecurely");
        assertThatThrownBy(() -> new MetricsListenerOptions(true, Optional.of(dir.resolve("missing")),
                Optional.of(cert))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ServingCertificate.fromPem(cert, cert)).hasMessageContaining("no PEM CERTIFICATE");
        assertThatThrownBy(() -> MetricsListenerOptions.parseSecure("SONDE_METRICS_SECURE", "yes"))
                .hasMessageContaining("SONDE_METRICS_SECURE must be true or false");
        assertThat(MetricsListenerOptions.parseSecure("X", null)).isTrue();
        assertThat(MetricsListenerOptions.parseSecure("X", "FALSE")).isFalse();
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** As Prometheus' insecure_skip_verify: TLS, but any certificate. */
    static HttpClient trustingClient() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return HttpClient.newBuilder().sslContext(context).build();
    }

    private static SSLContext trusting(X509Certificate certificate) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), new SecureRandom());
        return context;
    }
}
