package dev.sonde.operator;

import dev.sonde.api.v1alpha1.SondeApi;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The operator's own settings, from application.properties or SONDE_OPERATOR_* environment variables. */
@ConfigMapping(prefix = "sonde.operator")
public interface OperatorConfig {

    /** The operator's namespace: AgentReports, the agent ConfigMap and DaemonSet, the leader Lease live here. */
    @WithDefault(SondeApi.DEFAULT_NAMESPACE)
    String namespace();

    /** Namespaces whose NetworkMonitors may use namespaceSelector. Absent: only the operator's namespace. */
    Optional<List<String>> trustedNamespaces();

    /**
     * How often the operator re-reads the Secrets that monitors name in headersSecretRef. It has no watch on
     * Secrets (that would need list/watch on every Secret of the cluster), so a changed Secret reaches the agents
     * within this time.
     */
    @WithDefault("30s")
    Duration headersResync();

    /** The node agent DaemonSet. */
    Agent agent();

    /** The operator's metrics listener, and whether the agents' are secure. */
    Metrics metrics();

    /** The namespaces trusted with namespaceSelector. */
    default List<String> trusted() {
        return trustedNamespaces().filter(list -> !list.isEmpty()).orElse(List.of(namespace()));
    }

    interface Metrics {

        /**
         * HTTPS, and metrics only for a bearer token the API server authenticates (TokenReview) and allows
         * {@code get} on {@code /metrics} (SubjectAccessReview; ClusterRole sonde-metrics-reader), for the operator's
         * listener and the agents' alike. {@code false} serves both over plain HTTP to anyone who can reach them.
         */
        @WithDefault("true")
        boolean secure();

        /** Port of the operator's {@code /metrics} (all addresses; container port "metrics"). */
        @WithDefault("8443")
        int port();

        /** PEM certificate of the operator's listener (with {@code tls-key-file}); absent: self-signed at start-up. */
        Optional<Path> tlsCertFile();

        /** PEM private key of the operator's listener. */
        Optional<Path> tlsKeyFile();
    }

    interface Agent {

        @WithDefault("ghcr.io/sonde-dev/sonde-agent:0.1.0")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** Run the agent privileged instead of with BPF, PERFMON, NET_ADMIN: only for kernels before 5.8 (no CAP_BPF). */
        @WithDefault("false")
        boolean privileged();

        /**
         * Also add SYS_RESOURCE: only for kernels before 5.11, which charge BPF maps to RLIMIT_MEMLOCK instead of the
         * memory cgroup. Later kernels don't need it, and some runtimes can't grant it at all.
         */
        @WithDefault("false")
        boolean addSysResource();

        @WithDefault("50m")
        String cpuRequest();

        @WithDefault("128Mi")
        String memoryRequest();

        @WithDefault("500m")
        String cpuLimit();

        @WithDefault("256Mi")
        String memoryLimit();

        /** Port of the agent's Prometheus endpoint, on the node's address (the agent runs in the host network). */
        @WithDefault("9466")
        int metricsPort();

        /**
         * A {@code kubernetes.io/tls} Secret in the operator's namespace with the agents' metrics certificate
         * ({@code tls.crt}, {@code tls.key}), mounted into every agent; absent: each agent makes a self-signed one.
         */
        Optional<String> metricsTlsSecret();
    }
}
