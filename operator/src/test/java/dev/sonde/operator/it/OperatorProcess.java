package dev.sonde.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The operator as it ships: {@code quarkus-run.jar} in its own JVM, with a kubeconfig for the local control plane, so a test
 * can stop and restart it and read its {@code /metrics} like Prometheus would. Its metrics listener serves plain HTTP
 * ({@code sonde.operator.metrics.secure=false}) unless the test's properties say {@code true}: the suites that only
 * read numbers need no token; {@link OperatorMetricsIT} checks the secure default.
 */
public final class OperatorProcess implements AutoCloseable {

    private final Path kubeconfig;
    private final Map<String, String> properties;
    private final List<String> jvmOptions;
    private final Path log;
    private final int port;
    private final int metricsPort;
    private final boolean metricsSecure;
    private Process process;

    OperatorProcess(Path kubeconfig, String name, Map<String, String> properties) {
        this(kubeconfig, Path.of("target", "operator-" + name + ".log"), List.of("-Xmx256m"), properties);
    }

    /** An operator with its own JVM options (heap size, GC) and log file, e.g. for the scale benchmark. */
    public OperatorProcess(Path kubeconfig, Path log, List<String> jvmOptions, Map<String, String> properties) {
        this.kubeconfig = kubeconfig;
        this.properties = properties;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.log = log;
        this.port = freePort();
        this.metricsPort = freePort();
        this.metricsSecure = Boolean.parseBoolean(properties.getOrDefault("sonde.operator.metrics.secure", "false"));
    }

    /** Starts the JVM and waits until it leads and processes events. */
    public void start() {
        launch();
        awaitLeading();
    }

    /** Starts the JVM without waiting: a second replica stays a standby while another one leads. */
    void launch() {
        Path jar = Path.of(System.getProperty("sonde.operator.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no operator jar at " + jar.toAbsolutePath() + ": run mvn package first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dsonde.operator.metrics.port=" + metricsPort);
        command.add("-Dsonde.operator.metrics.secure=" + metricsSecure);
        properties.forEach((k, v) -> {
            if (!k.equals("sonde.operator.metrics.secure")) {
                command.add("-D" + k + "=" + v);
            }
        });
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until this instance holds the Lease and its three controllers process events. */
    void awaitLeading() {
        // Leadership first, then the controllers start processing events.
        Awaitility.await("operator started (see " + log + ")").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("operator exited " + process.exitValue() + ", see " + log);
                    }
                    return eventProcessingStarted() >= 3;
                });
    }

    /** Whether this instance's controllers process events, i.e. it leads. */
    /** Whether the JVM is running (it exits by itself when it loses the Lease while leading). */
    boolean alive() {
        return process != null && process.isAlive();
    }

    boolean leading() {
        try {
            return eventProcessingStarted() > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long eventProcessingStarted() throws IOException {
        // count in the current run only: the log is appended across restarts
        List<String> lines = Files.readAllLines(log);
        int lastStart = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("Quarkus Java Operator SDK extension")) {
                lastStart = i;
            }
        }
        return lines.subList(lastStart, lines.size()).stream()
                .filter(l -> l.contains("Started event processing for controller")).count();
    }

    /**
     * SIGTERM, as Kubernetes stops a pod; a JVM still running after 30s is killed.
     *
     * @return whether the operator exited on SIGTERM by itself
     */
    public boolean stop() {
        if (process == null || !process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(30, TimeUnit.SECONDS)) {
                return true;
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The Prometheus text from /metrics (plain HTTP: see the class comment). */
    public String metrics() {
        if (metricsSecure) {
            throw new IllegalStateException("this operator's metrics need a token: scrape metricsUri() with one");
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(metricsUri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/metrics answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where /metrics is, to scrape it with headers of one's own. */
    public URI metricsUri() {
        return URI.create((metricsSecure ? "https" : "http") + "://127.0.0.1:" + metricsPort + "/metrics");
    }

    /** Quarkus' HTTP port: the health probes, and a closed /q/metrics. */
    public URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A sample's value from the Prometheus text, 0 when absent; labels must match exactly as printed. */
    public static double sample(String metrics, String name, String labels) {
        Pattern pattern = Pattern.compile("^" + Pattern.quote(name + "{" + labels) + "[^}]*\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = pattern.matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    public Path log() {
        return log;
    }

    /** The operator JVM's process id, e.g. to read its RSS from /proc. */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
