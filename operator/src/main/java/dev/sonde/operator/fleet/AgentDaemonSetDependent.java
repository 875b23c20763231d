package dev.sonde.operator.fleet;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.operator.OperatorConfig;
import dev.sonde.operator.SondeNames;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;

/**
 * The node agent DaemonSet: one agent per node, with only the capabilities BPF needs (privileged only behind
 * {@code sonde.operator.agent.privileged}, for kernels without CAP_BPF), a read-only root filesystem and the
 * host paths the probes read.
 */
public class AgentDaemonSetDependent extends CRUDKubernetesDependentResource<DaemonSet, Namespace> {

    /**
     * Capabilities added to the agent; everything else is dropped. No SYS_RESOURCE: since kernel 5.11 BPF memory is
     * charged to the memory cgroup, not RLIMIT_MEMLOCK (it is added only behind
     * {@code sonde.operator.agent.add-sys-resource}).
     */
    public static final List<String> CAPABILITIES = List.of("BPF", "PERFMON", "NET_ADMIN");
    static final String SYS_RESOURCE = "SYS_RESOURCE";

    /** Host paths: name, path, read-only. */
    record HostMount(String name, String path, boolean readOnly) {
    }

    static final List<HostMount> HOST_MOUNTS = List.of(
            // bpffs stays writable: libbpf may pin maps there
            new HostMount("bpffs", "/sys/fs/bpf", false),
            new HostMount("btf", "/sys/kernel/btf", true),
            new HostMount("tracing", "/sys/kernel/tracing", true),
            new HostMount("cgroup", "/sys/fs/cgroup", true));

    private final OperatorConfig config;

    public AgentDaemonSetDependent(OperatorConfig config) {
        super(DaemonSet.class);
        this.config = config;
    }

    @Override
    protected DaemonSet desired(Namespace primary, Context<Namespace> context) {
        return desired(primary.getMetadata().getName(), config.agent(), config.metrics().secure());
    }

    /** Where the agents' metrics certificate Secret ({@code sonde.operator.agent.metrics-tls-secret}) is mounted. */
    static final String METRICS_TLS_DIR = "/etc/sonde/metrics-tls";

    /**
     * @param metricsSecure the agents serve /metrics over HTTPS to authorized scrapers only
     *     ({@code sonde.operator.metrics.secure}); false: plain HTTP
     */
    static DaemonSet desired(String namespace, OperatorConfig.Agent agent, boolean metricsSecure) {
        List<VolumeMount> mounts = new java.util.ArrayList<>(HOST_MOUNTS.stream()
                .map(m -> new VolumeMountBuilder().withName(m.name()).withMountPath(m.path())
                        .withReadOnly(m.readOnly()).build())
                .toList());
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        List<Volume> volumes = new java.util.ArrayList<>(HOST_MOUNTS.stream()
                .map(m -> new VolumeBuilder().withName(m.name())
                        .withNewHostPath().withPath(m.path()).withType("Directory").endHostPath().build())
                .toList());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        List<io.fabric8.kubernetes.api.model.EnvVar> metricsEnv = new java.util.ArrayList<>();
        metricsEnv.add(new EnvVarBuilder().withName("SONDE_METRICS_SECURE").withValue(String.valueOf(metricsSecure))
                .build());
        if (agent.metricsTlsSecret().isPresent()) {
            if (!metricsSecure) {
                throw new IllegalArgumentException("sonde.operator.agent.metrics-tls-secret is set but "
                        + "sonde.operator.metrics.secure=false serves the agents' metrics over plain HTTP: drop one");
            }
            mounts.add(new VolumeMountBuilder().withName("metrics-tls").withMountPath(METRICS_TLS_DIR)
                    .withReadOnly(true).build());
            volumes.add(new VolumeBuilder().withName("metrics-tls").withNewSecret()
                    .withSecretName(agent.metricsTlsSecret().get()).endSecret().build());
            metricsEnv.add(new EnvVarBuilder().withName("SONDE_METRICS_TLS_CERT_FILE")
                    .withValue(METRICS_TLS_DIR + "/tls.crt").build());
            metricsEnv.add(new EnvVarBuilder().withName("SONDE_METRICS_TLS_KEY_FILE")
                    .withValue(METRICS_TLS_DIR + "/tls.key").build());
        }

        return new DaemonSetBuilder()
                .withNewMetadata()
                .withName(SondeNames.AGENT_DAEMON_SET)
                .withNamespace(namespace)
                .withLabels(SondeNames.AGENT_LABELS)
                .endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(SondeNames.AGENT_SELECTOR).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(SondeNames.AGENT_LABELS).endMetadata()
                .withNewSpec()
                .withServiceAccountName(SondeNames.AGENT_SERVICE_ACCOUNT)
                // the node's network namespace: the flows probe's netfilter hook sees kube-proxy's DNAT only there
                .withHostNetwork(true)
                .withDnsPolicy("ClusterFirstWithHostNet")
                .withAutomountServiceAccountToken(true)
                .withPriorityClassName("system-node-critical")
                .withTerminationGracePeriodSeconds(15L)
                // one agent per node, whatever the node's taints
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer()
                .withName("agent")
                .withImage(agent.image())
                .withImagePullPolicy(agent.imagePullPolicy())
                .withEnv(
                        new EnvVarBuilder().withName("NODE_NAME")
                                .withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef()
                                .endValueFrom().build(),
                        new EnvVarBuilder().withName("SONDE_NAMESPACE")
                                .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef()
                                .endValueFrom().build(),
                        new EnvVarBuilder().withName("SONDE_CONFIG_MAP").withValue(SondeNames.AGENT_CONFIG_MAP).build(),
                        new EnvVarBuilder().withName("SONDE_CONFIG_KEY").withValue(AgentConfig.CONFIG_MAP_KEY).build(),
                        new EnvVarBuilder().withName("POD_IP")
                                .withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef()
                                .endValueFrom().build(),
                        // the agent's only listener, on the node's address (host network)
                        new EnvVarBuilder().withName("SONDE_METRICS_ADDRESS")
                                .withValue("$(POD_IP):" + agent.metricsPort()).build())
                .addAllToEnv(metricsEnv)
                .addNewPort().withName("metrics").withContainerPort(agent.metricsPort()).withProtocol("TCP").endPort()
                .withNewLivenessProbe()
                // /healthz needs no token; the kubelet does not verify the certificate of an HTTPS probe
                .withNewHttpGet().withPath("/healthz").withNewPort("metrics")
                .withScheme(metricsSecure ? "HTTPS" : "HTTP").endHttpGet()
                .withPeriodSeconds(10).withFailureThreshold(3)
                .endLivenessProbe()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity(agent.cpuRequest()), "memory", new Quantity(agent.memoryRequest())))
                .withLimits(Map.of("cpu", new Quantity(agent.cpuLimit()), "memory", new Quantity(agent.memoryLimit())))
                .endResources()
                .withSecurityContext(securityContext(agent))
                .withVolumeMounts(mounts)
                .endContainer()
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static SecurityContext securityContext(OperatorConfig.Agent agent) {
        SecurityContextBuilder builder = new SecurityContextBuilder()
                .withReadOnlyRootFilesystem(true)
                // BPF needs the capabilities in the effective set, which Kubernetes gives only to root
                .withRunAsUser(0L)
                .withRunAsNonRoot(false);
        if (agent.privileged()) {
            return builder.withPrivileged(true).build();
        }
        List<String> add = new java.util.ArrayList<>(CAPABILITIES);
        if (agent.addSysResource()) {
            add.add(SYS_RESOURCE);
        }
        Capabilities capabilities = new CapabilitiesBuilder().withDrop("ALL").withAdd(add).build();
        return builder.withPrivileged(false).withAllowPrivilegeEscalation(false).withCapabilities(capabilities).build();
    }

    @Override
    protected InformerEventSource<DaemonSet, Namespace> createEventSource(EventSourceContext<Namespace> context) {
        InformerEventSource<DaemonSet, Namespace> informer = FleetDependents.informer(DaemonSet.class, name(),
                config.namespace(), context);
        setEventSource(informer);
        return informer;
    }
}
