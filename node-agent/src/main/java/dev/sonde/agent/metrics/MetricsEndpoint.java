package dev.sonde.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The agent's only listener: {@code GET /metrics} (Prometheus text) and {@code GET /healthz} (200 while the agent
 * loop runs), bound to exactly the configured address.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param exposition the current Prometheus text
     * @param healthy whether the agent loop is alive
     */
    public static MetricsEndpoint start(InetSocketAddress address, Supplier<String> exposition,
            BooleanSupplier healthy) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    send(exchange, 405, "text/plain", "only GET\n");
                } else if ("/metrics".equals(path)) {
                    send(exchange, 200, PrometheusText.CONTENT_TYPE, exposition.get());
                } else if ("/healthz".equals(path)) {
                    boolean ok = healthy.getAsBoolean();
                    send(exchange, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "agent loop stalled\n");
                } else {
                    send(exchange, 404, "text/plain", "not found: try /metrics\n");
                }
            }
        });
        // One thread: scrapes are rare and the body is prepared by the agent loop.
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("sonde-metrics-http").daemon().factory());
        server.setExecutor(executor);
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    /** The address actually bound (the port is chosen by the kernel when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
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
