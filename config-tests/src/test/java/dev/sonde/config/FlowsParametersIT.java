package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The flows probe's parameters as the real API server stores them: the CRD's defaults filled in, valid IPv4 and IPv6
 * groups kept as written, and nothing added where the user wrote no flows object (the operator fills the same
 * defaults when it compiles). The refusals are in the invalid corpus ({@code probeprofile-flows-*.yaml}).
 */
@LocalControlPlane
class FlowsParametersIT {

    private static ControlPlane cluster;
    private static String prefix;

    @BeforeAll
    static void install(ControlPlane controlPlane, TestNamespace ns) {
        cluster = controlPlane;
        prefix = ns.name();
        cluster.installCrds();
    }

    @AfterAll
    static void remove() {
        for (String name : new String[] {"empty", "groups", "bare"}) {
            cluster.kubectl("delete", "probeprofiles.sonde.dev", prefix + "-" + name, "--ignore-not-found");
        }
    }

    @Test
    void anEmptyFlowsObjectGetsEveryDefault() {
        JsonNode flows = applyAndRead("empty", "flows: {}");
        assertThat(flows.path("aggregation").asText()).isEqualTo("workload");
        assertThat(flows.path("maxPeersPerPod").asInt()).isEqualTo(64);
        assertThat(flows.path("crossNamespacePeers").asText()).isEqualTo("Workload");
        assertThat(flows.has("externalGroups")).isFalse();
    }

    @Test
    void validGroupsAndChoicesAreKeptAsWritten() {
        JsonNode flows = applyAndRead("groups", """
                flows:
                        aggregation: pod
                        maxPeersPerPod: 4096
                        crossNamespacePeers: Namespace
                        externalGroups:
                          - name: corporate-vpn
                            cidrs: [10.8.0.0/16, 2001:db8::/32]
                          - name: partners
                            cidrs: [203.0.113.0/24]""");
        assertThat(flows.path("aggregation").asText()).isEqualTo("pod");
        assertThat(flows.path("maxPeersPerPod").asInt()).isEqualTo(4096);
        assertThat(flows.path("crossNamespacePeers").asText()).isEqualTo("Namespace");
        assertThat(flows.path("externalGroups")).hasSize(2);
        assertThat(flows.path("externalGroups").get(0).path("cidrs").get(1).asText()).isEqualTo("2001:db8::/32");
    }

    @Test
    void noFlowsObjectStaysWithout() {
        JsonNode flows = applyAndRead("bare", "");
        assertThat(flows.isMissingNode()).as("GitOps-safe: nothing is added to a spec without flows").isTrue();
    }

    @Test
    void aBudgetAboveTheMaximumIsRefused() {
        KubectlResult result = apply("too-many", "flows: {maxPeersPerPod: 4097}");
        assertThat(result.exitCode()).as(result.stdout()).isNotZero();
        assertThat(result.stderr()).contains("maxPeersPerPod").contains("4096");
    }

    /** The probe entry "- name: flows" plus {@code params} (YAML at the entry's indentation), read back. */
    private static JsonNode applyAndRead(String name, String params) {
        KubectlResult result = apply(name, params);
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode stored = RepoFiles.parseJson(cluster.kubectl("get", "probeprofiles.sonde.dev", prefix + "-" + name,
                "-o", "json").orThrow());
        return stored.path("spec").path("probes").get(0).path("flows");
    }

    private static KubectlResult apply(String name, String params) {
        String profile = """
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata:
                  name: %s
                spec:
                  probes:
                    - name: flows
                      %s
                """.formatted(prefix + "-" + name, params);
        return cluster.kubectlWithInput(profile, "apply", "--server-side", "-f", "-");
    }
}
