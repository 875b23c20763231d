package dev.sonde.securemetrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metrics listener: {@code GET <metrics path>} (authorized by {@link ScrapeAuthorizer} when secure) and, if the
 * component has one, {@code GET /healthz} (never authenticated: the kubelet probes it), bound to exactly the given
 * address, over HTTPS unless {@link MetricsListenerOptions#secure()} is off.
 */
public final class MetricsServer implements AutoCloseable {

    /** What the metrics path serves, given the request's Accept header (may be null). */
    @FunctionalInterface
    public interface Exposition {
        Page render(String accept);
    }

    public record Page(String contentType, String body) {
    }

    /**
     * @param address where to listen (port 0: the kernel chooses)
     * @param certificateName the self-signed certificate's common name (and a DNS name in it)
     * @param metricsPath e.g. {@code /metrics}; also the non-resource URL the SubjectAccessReview asks about
     * @param authorizer decides scrapes; required when secure, must be null when not
     * @param healthy serves {@code /healthz} (200 or 503) when not null
     */
    public record Spec(InetSocketAddress address, MetricsListenerOptions options, String certificateName,
            String metricsPath, ScrapeAuthorizer authorizer, Exposition metrics, BooleanSupplier healthy) {

        public Spec {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(metrics, "metrics");
            if (options.secure() && authorizer == null) {
                throw new IllegalArgumentException("a secure metrics listener needs an authorizer");
            }
            if (!options.secure() && authorizer != null) {
                throw new IllegalArgumentException("an insecure metrics listener authorizes nothing");
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean secure;

    private MetricsServer(HttpServer server, ExecutorService executor, boolean secure) {
        this.server = server;
        this.executor = executor;
        this.secure = secure;
    }

    public static MetricsServer start(Spec spec) throws IOException {
        HttpServer server;
        if (spec.options().secure()) {
            ServingCertificate certificate = spec.options().certFile()
                    .map(cert -> ServingCertificate.fromPem(cert, spec.options().keyFile().orElseThrow()))
                    .orElseGet(() -> ServingCertificate.selfSigned(spec.certificateName(),
                            List.of(spec.certificateName(), "localhost"), bindAddresses(spec.address())));
            HttpsServer https = HttpsServer.create(spec.address(), 16);
            https.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
            server = https;
            LOG.info("metrics on https://{}{} ({} certificate, bearer token authorized by the API server)",
                    spec.address(), spec.metricsPath(), certificate.selfSigned() ? "a self-signed" : "the given");
        } else {
            server = HttpServer.create(spec.address(), 16);
            LOG.warn("metrics on http://{}{} WITHOUT TLS OR AUTHENTICATION: anyone who can reach the port reads them",
                    spec.address(), spec.metricsPath());
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(spec, exchange);
            } catch (RuntimeException e) {
                LOG.warn("metrics request failed: {}", e.toString());
            }
        });
        // Two threads: a token review waiting on the API server does not hold up the kubelet's /healthz.
        ExecutorService executor = Executors.newFixedThreadPool(2,
                Thread.ofPlatform().name("sonde-metrics-http-", 0).daemon().factory());
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor, spec.options().secure());
    }

    private static void handle(Spec spec, HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            send(exchange, 405, "only GET\n");
        } else if (spec.metricsPath().equals(path)) {
            if (spec.authorizer() != null) {
                ScrapeDecision decision = spec.authorizer().decide(
                        exchange.getRequestHeaders().getFirst("Authorization"), path);
                if (!decision.isAllowed()) {
                    if (decision.status() == 401) {
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    }
                    send(exchange, decision.status(), decision.reason() + "\n");
                    return;
                }
            }
            Page page = spec.metrics().render(exchange.getRequestHeaders().getFirst("Accept"));
            send(exchange, 200, page.contentType(), page.body());
        } else if (spec.healthy() != null && "/healthz".equals(path)) {
            boolean ok = spec.healthy().getAsBoolean();
            send(exchange, ok ? 200 : 503, ok ? "ok\n" : "not healthy\n");
        } else {
            send(exchange, 404, "not found: try " + spec.metricsPath() + "\n");
        }
    }

    /** The addresses a self-signed certificate names: the bound one, unless it is the wildcard. */
    private static List<java.net.InetAddress> bindAddresses(InetSocketAddress address) {
        List<java.net.InetAddress> addresses = new ArrayList<>();
        if (address.getAddress() != null && !address.getAddress().isAnyLocalAddress()) {
            addresses.add(address.getAddress());
        }
        return addresses;
    }

    /** The address actually bound (the port is chosen by the kernel when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return secure ? "https" : "http";
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
