package dev.sonde.agent.node;

import dev.sonde.agent.metrics.OtlpExporters;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.SondeApi;
import dev.sonde.securemetrics.MetricsListenerOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's entry point, the same on a real node (DaemonSet pod, in-cluster credentials) and in local mode
 * (a host process with a kubeconfig). Configured by environment:
 *
 * <ul>
 *   <li>{@code NODE_NAME} (required): this node, from the downward API;
 *   <li>{@code SONDE_NAMESPACE}: the operator's namespace (default {@code sonde-system});
 *   <li>{@code SONDE_CONFIG_MAP}: the compiled config (default {@code sonde-agent-config});
 *   <li>{@code SONDE_CGROUP_ROOT}: the cgroup2 mount, if not the one {@code /proc/self/mountinfo} shows;
 *   <li>{@code SONDE_KUBELET_CGROUP_ROOTS}: the kubelet's {@code --cgroup-root} values, comma-separated (default
 *       {@code /});
 *   <li>{@code SONDE_METRICS_ADDRESS}: {@code host:port} of /metrics and /healthz, the agent's only listener
 *       (default {@code 127.0.0.1:9090}; the DaemonSet sets the pod IP); {@code off} for none;
 *   <li>{@code SONDE_METRICS_SECURE} (default {@code true}): HTTPS, and /metrics only for a bearer token the API
 *       server authenticates (TokenReview) and allows {@code get} on {@code /metrics} (SubjectAccessReview);
 *       {@code false} serves plain HTTP to anyone who can reach the port;
 *   <li>{@code SONDE_METRICS_TLS_CERT_FILE}, {@code SONDE_METRICS_TLS_KEY_FILE}: the listener's PEM certificate and
 *       key (both or neither); without them a self-signed certificate is made at start-up;
 *   <li>{@code SONDE_OTLP_ENDPOINT}, {@code SONDE_OTLP_PROTOCOL} ({@code grpc} or {@code http/protobuf}): where
 *       monitors without an OTLP endpoint of their own export (default: nowhere);
 *   <li>{@code SONDE_MAX_SERIES}: per-pod series (monitor x pod) this node publishes at most (default 2000).
 * </ul>
 *
 * <p>SIGTERM detaches everything and exits; after SIGKILL the kernel drops the links with the process's fds.
 */
public final class AgentMain {

    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        String node = Optional.ofNullable(env.get("NODE_NAME")).filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalStateException("NODE_NAME is not set (downward API: spec.nodeName)"));
        NodeAgent.Settings settings = new NodeAgent.Settings(node,
                env.getOrDefault("SONDE_NAMESPACE", SondeApi.DEFAULT_NAMESPACE),
                env.getOrDefault("SONDE_CONFIG_MAP", "sonde-agent-config"),
                Optional.ofNullable(AgentMain.class.getPackage().getImplementationVersion()).orElse("dev"),
                listenAddress(env.getOrDefault("SONDE_METRICS_ADDRESS", "127.0.0.1:9090")),
                metricsListener(env),
                defaultOtlp(env.get("SONDE_OTLP_ENDPOINT"), env.getOrDefault("SONDE_OTLP_PROTOCOL", "grpc")),
                Integer.parseInt(env.getOrDefault("SONDE_MAX_SERIES", String.valueOf(NodeAgent.DEFAULT_MAX_SERIES))));

        KernelCapabilities kernel = KernelCapabilities.detect();
        Path cgroupRoot = Optional.ofNullable(env.get("SONDE_CGROUP_ROOT")).map(Path::of)
                .or(kernel::cgroup2Mount)
                .orElseThrow(() -> new IllegalStateException("no cgroup2 mount found; set SONDE_CGROUP_ROOT"));
        List<String> kubeletRoots = Arrays.stream(env.getOrDefault("SONDE_KUBELET_CGROUP_ROOTS", "/").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();

        KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
        KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), kernel);
        NodeAgent agent = new NodeAgent(client, probes, kernel, new PodCgroupResolver(cgroupRoot, kubeletRoots),
                settings, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("sonde-agent-shutdown").unstarted(() -> {
            LOG.info("stopping");
            agent.close();
            client.close();
            stopped.countDown();
        }));
        agent.start();
        stopped.await();
    }

    /**
     * In-cluster or kubeconfig credentials, with short timeouts and no client-side retries: the agent loop must not
     * sit in a request while the API server is away (its liveness probe would restart it and the kernel's counts
     * would go with the process). A report that fails is simply retried at the next interval with its window
     * extended.
     */
    static Config clientConfig() {
        Config config = Config.autoConfigure(null);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(10_000);
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    /** {@code host:port} or {@code [ipv6]:port}; null for {@code off}. */
    static InetSocketAddress listenAddress(String value) {
        if (value.isBlank() || value.equalsIgnoreCase("off")) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("SONDE_METRICS_ADDRESS must be host:port, not '" + value + "'");
        }
        String host = value.substring(0, colon).replaceAll("^\\[|]$", "");
        return new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1)));
    }

    static MetricsListenerOptions metricsListener(Map<String, String> env) {
        return new MetricsListenerOptions(
                MetricsListenerOptions.parseSecure("SONDE_METRICS_SECURE", env.get("SONDE_METRICS_SECURE")),
                Optional.ofNullable(env.get("SONDE_METRICS_TLS_CERT_FILE")).filter(s -> !s.isBlank()).map(Path::of),
                Optional.ofNullable(env.get("SONDE_METRICS_TLS_KEY_FILE")).filter(s -> !s.isBlank()).map(Path::of));
    }

    static OtlpExporters.Target defaultOtlp(String endpoint, String protocol) {
        if (endpoint == null || endpoint.isBlank()) {
            return null;
        }
        OtlpProtocol transport = switch (protocol) {
            case "grpc" -> OtlpProtocol.GRPC;
            case "http/protobuf" -> OtlpProtocol.HTTP_PROTOBUF;
            default -> throw new IllegalArgumentException(
                    "SONDE_OTLP_PROTOCOL must be grpc or http/protobuf, not '" + protocol + "'");
        };
        return new OtlpExporters.Target(endpoint, transport);
    }
}
