package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NetworkMonitor health check on objects as the API server serves them (what Argo CD sees),
 * through a status lifecycle written with kubectl: no status, Ready=True, spec.paused (which bumps
 * metadata.generation) before and after the status catches up, Ready=False while paused.
 */
@LocalControlPlane
class ArgoCdHealthIT {

    private static final String NAME = "argocd-health";

    @BeforeAll
    static void install(ControlPlane cluster) {
        cluster.installCrds();
    }

    @Test
    void healthFollowsTheReadyConditionAndTheGeneration(ControlPlane cluster, TestNamespace ns) {
        LuaHealthCheck check = new LuaHealthCheck(ArgoCdHealthTest.kindDir("NetworkMonitor").resolve("health.lua"));
        cluster.kubectlWithInput("""
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  profile: standard
                """.formatted(NAME, ns.name()), "apply", "--server-side", "-f", "-").orThrow();
        assertThat(check.evaluate(get(cluster, ns)).status()).isEqualTo("Progressing");

        setReady(cluster, ns, "True", "Monitoring", "probes attached on 1 of 1 nodes", 1);
        assertThat(check.evaluate(get(cluster, ns)))
                .isEqualTo(new LuaHealthCheck.Result("Healthy", "probes attached on 1 of 1 nodes"));

        cluster.kubectl("patch", "networkmonitors.sonde.dev", NAME, "-n", ns.name(), "--type=merge",
                "-p", "{\"spec\":{\"paused\":true}}").orThrow();
        JsonNode changed = get(cluster, ns);
        assertThat(changed.path("metadata").path("generation").asLong()).isEqualTo(2);
        assertThat(check.evaluate(changed))
                .isEqualTo(new LuaHealthCheck.Result("Progressing", "Waiting for the Sonde operator to observe generation 2"));

        setReady(cluster, ns, "True", "Paused", "measuring is paused", 2);
        assertThat(check.evaluate(get(cluster, ns)))
                .isEqualTo(new LuaHealthCheck.Result("Suspended", "measuring is paused"));

        setReady(cluster, ns, "False", "ProfileNotFound", "ProbeProfile \\\"standard\\\" not found", 2);
        assertThat(check.evaluate(get(cluster, ns)))
                .isEqualTo(new LuaHealthCheck.Result("Degraded", "ProbeProfile \"standard\" not found"));
    }

    private static JsonNode get(ControlPlane cluster, TestNamespace ns) {
        return RepoFiles.parseJson(cluster.kubectl("get", "networkmonitors.sonde.dev", NAME, "-n", ns.name(), "-o", "json").orThrow());
    }

    private static void setReady(ControlPlane cluster, TestNamespace ns, String status, String reason, String message, long generation) {
        String patch = """
                {"status": {"observedGeneration": %d, "conditions": [{"type": "Ready", "status": "%s", "reason": "%s",
                  "message": "%s", "lastTransitionTime": "2026-11-21T17:00:00Z", "observedGeneration": %d}]}}"""
                .formatted(generation, status, reason, message, generation);
        cluster.kubectl("patch", "networkmonitors.sonde.dev", NAME, "-n", ns.name(), "--subresource=status",
                "--type=merge", "-p", patch).orThrow();
    }
}
