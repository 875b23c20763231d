package dev.sonde.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentDaemonSetDependentTest {

    private static OperatorConfig.Agent agent(boolean privileged) {
        return agent(privileged, false);
    }

    private static OperatorConfig.Agent agent(boolean privileged, boolean addSysResource) {
        return agent(privileged, addSysResource, Optional.empty());
    }

    private static OperatorConfig.Agent agent(boolean privileged, boolean addSysResource, Optional<String> tlsSecret) {
        return new OperatorConfig.Agent() {
            public String image() {
                return "example.org/agent:1";
            }

            public String imagePullPolicy() {
                return "Always";
            }

            public boolean privileged() {
                return privileged;
            }

            public boolean addSysResource() {
                return addSysResource;
            }

            public String cpuRequest() {
                return "50m";
            }

            public String memoryRequest() {
                return "128Mi";
            }

            public String cpuLimit() {
                return "500m";
            }

            public String memoryLimit() {
                return "256Mi";
            }

            public int metricsPort() {
                return 9090;
            }

            public Optional<String> metricsTlsSecret() {
                return tlsSecret;
            }
        };
    }

    @Test
    void leastPrivilegeByDefault() {
        DaemonSet ds = AgentDaemonSetDependent.desired("sonde-system", agent(false), true);
        Container container = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getImage()).isEqualTo("example.org/agent:1");
        assertThat(container.getImagePullPolicy()).isEqualTo("Always");
        SecurityContext security = container.getSecurityContext();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).as("no SYS_RESOURCE: BPF memory is memcg-accounted since 5.11")
                .containsExactly("BPF", "PERFMON", "NET_ADMIN");
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("NODE_NAME");
            assertThat(env.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(container.getEnv()).as("the metrics listener binds the pod IP only")
                .anySatisfy(env -> assertThat(env.getValueFrom()).extracting(v -> v.getFieldRef().getFieldPath())
                        .isEqualTo("status.podIP"))
                .anySatisfy(env -> {
                    assertThat(env.getName()).isEqualTo("SONDE_METRICS_ADDRESS");
                    assertThat(env.getValue()).startsWith("$(POD_IP):");
                });
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getLivenessProbe().getHttpGet().getScheme()).as("the listener is HTTPS by default")
                .isEqualTo("HTTPS");
        assertThat(container.getEnv()).as("secure metrics unless the operator is told otherwise")
                .anySatisfy(env -> {
                    assertThat(env.getName()).isEqualTo("SONDE_METRICS_SECURE");
                    assertThat(env.getValue()).isEqualTo("true");
                })
                .noneSatisfy(env -> assertThat(env.getName()).startsWith("SONDE_METRICS_TLS_"));
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getMountPath, VolumeMount::getReadOnly)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("/sys/fs/bpf", false),
                        org.assertj.core.groups.Tuple.tuple("/sys/kernel/btf", true),
                        org.assertj.core.groups.Tuple.tuple("/sys/kernel/tracing", true),
                        org.assertj.core.groups.Tuple.tuple("/sys/fs/cgroup", true));
        assertThat(ds.getSpec().getTemplate().getSpec().getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                .as("config changes must not roll the agents").isNullOrEmpty();
    }

    @Test
    void plainHttpMetricsOnlyWhenAskedFor() {
        Container container = AgentDaemonSetDependent.desired("sonde-system", agent(false), false)
                .getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("SONDE_METRICS_SECURE");
            assertThat(env.getValue()).isEqualTo("false");
        });
        assertThat(container.getLivenessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThatThrownBy(() -> AgentDaemonSetDependent.desired("sonde-system",
                agent(false, false, Optional.of("agent-metrics-tls")), false))
                .hasMessageContaining("metrics-tls-secret").hasMessageContaining("plain HTTP");
    }

    @Test
    void aMetricsCertificateSecretIsMountedWhenGiven() {
        DaemonSet ds = AgentDaemonSetDependent.desired("sonde-system",
                agent(false, false, Optional.of("agent-metrics-tls")), true);
        Container container = ds.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("metrics-tls");
            assertThat(v.getSecret().getSecretName()).isEqualTo("agent-metrics-tls");
        });
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("metrics-tls");
            assertThat(m.getMountPath()).isEqualTo("/etc/sonde/metrics-tls");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
                "SONDE_METRICS_TLS_CERT_FILE=/etc/sonde/metrics-tls/tls.crt",
                "SONDE_METRICS_TLS_KEY_FILE=/etc/sonde/metrics-tls/tls.key");
    }

    @Test
    void sysResourceOnlyWhenAskedFor() {
        DaemonSet ds = AgentDaemonSetDependent.desired("sonde-system", agent(false, true), true);
        SecurityContext security = ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getSecurityContext();
        assertThat(security.getCapabilities().getAdd()).containsExactly("BPF", "PERFMON", "NET_ADMIN", "SYS_RESOURCE");
        assertThat(security.getPrivileged()).isFalse();
    }

    @Test
    void privilegedOnlyWhenAskedFor() {
        DaemonSet ds = AgentDaemonSetDependent.desired("sonde-system", agent(true), true);
        SecurityContext security = ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getSecurityContext();
        assertThat(security.getPrivileged()).isTrue();
        assertThat(security.getCapabilities()).isNull();
        assertThat(security.getAllowPrivilegeEscalation()).isNull();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    }
}
