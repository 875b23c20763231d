package dev.sonde.operator;

import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import io.quarkiverse.operatorsdk.annotations.SharedCSVMetadata;

/**
 * The OLM bundle's ClusterServiceVersion metadata, shared by the reconcilers through
 * {@code @CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE)}; read at build time by the bundle generator only.
 */
@CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE,
        displayName = "Sonde",
        description = """
                Per-pod network health for Kubernetes, without touching applications. A ProbeProfile \
                (cluster-scoped) says which eBPF probes to run and what counts as healthy; a NetworkMonitor \
                (namespaced) selects pods, a profile and where to export. The operator compiles them into \
                configuration for a per-node agent DaemonSet and reports health in each monitor's status.""",
        keywords = {"ebpf", "network", "observability", "monitoring", "opentelemetry"},
        maturity = "alpha",
        minKubeVersion = "1.30.0",
        provider = @CSVMetadata.Provider(name = "Sonde", url = "https://github.com/sonde-dev/sonde"),
        links = @CSVMetadata.Link(name = "Source", url = "https://github.com/sonde-dev/sonde"),
        maintainers = @CSVMetadata.Maintainer(name = "Sonde maintainers", email = "maintainers@sonde.dev"),
        installModes = {
            @CSVMetadata.InstallMode(type = "OwnNamespace", supported = false),
            @CSVMetadata.InstallMode(type = "SingleNamespace", supported = false),
            @CSVMetadata.InstallMode(type = "MultiNamespace", supported = false),
            @CSVMetadata.InstallMode(type = "AllNamespaces")
        },
        annotations = @CSVMetadata.Annotations(
                containerImage = "ghcr.io/sonde-dev/sonde-operator:0.1.0",
                repository = "https://github.com/sonde-dev/sonde",
                capabilities = "Basic Install",
                categories = "Monitoring",
                // config/samples/probeprofile-standard.yaml and networkmonitor-checkout.yaml (BundleUpToDateTest)
                almExamples = """
                        [{"apiVersion": "sonde.dev/v1alpha1", "kind": "ProbeProfile",
                          "metadata": {"name": "standard"},
                          "spec": {"interval": "15s",
                            "probes": [{"name": "tcpConnections"}, {"name": "tcpRetransmits"}, {"name": "tcpResets"},
                              {"name": "tcpRtt"}, {"name": "dns", "dns": {"ports": [53]}}],
                            "health": {"retransmitRatio": {"degraded": 0.01, "critical": 0.05},
                              "connectFailureRatio": {"degraded": 0.02, "critical": 0.1},
                              "connectLatencyP99": {"degraded": "100ms", "critical": "1s"},
                              "resetRate": {"degraded": 5, "critical": 50},
                              "dnsErrorRatio": {"degraded": 0.05, "critical": 0.2},
                              "dnsLatencyP99": {"degraded": "50ms", "critical": "500ms"}}}},
                         {"apiVersion": "sonde.dev/v1alpha1", "kind": "NetworkMonitor",
                          "metadata": {"name": "checkout", "namespace": "demo"},
                          "spec": {"profile": "standard", "podSelector": {"matchLabels": {"app": "checkout"}},
                            "export": {"otlp": {"endpoint": "http://otel-collector.observability:4317",
                              "protocol": "grpc"}, "prometheus": {"enabled": true}}}}]
                        """))
public class SondeCsvMetadata implements SharedCSVMetadata {

    /** The bundle and OLM package name. */
    public static final String BUNDLE = "sonde";
}
