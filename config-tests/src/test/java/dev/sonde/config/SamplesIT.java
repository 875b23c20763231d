package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every sample in config/samples applied to the real API server and read back with kubectl.
 *
 * <p>ProbeProfiles are cluster-scoped and other tests may own one called {@code standard}, so each is
 * applied under a name prefixed with this class's namespace; the monitors go into that namespace and
 * name the prefixed profiles. Apart from that the manifests are applied exactly as written.
 */
@LocalControlPlane
class SamplesIT {

    private static final List<String> appliedProfiles = new ArrayList<>();
    private final SampleManifests samples = SampleManifests.load();

    @BeforeAll
    static void install(ControlPlane cluster) {
        cluster.installCrds();
        Sonde.installRbac(cluster); // sonde-system, where the platform sample lives
    }

    @AfterAll
    static void removeProfiles(ControlPlane cluster) {
        for (String name : appliedProfiles) {
            cluster.kubectl("delete", "probeprofiles.sonde.dev", name, "--ignore-not-found");
        }
    }

    @Test
    void profilesApplyAndReadBackUnchanged(ControlPlane cluster, TestNamespace ns) {
        for (SampleManifests.Sample sample : samples.ofKind("ProbeProfile")) {
            ObjectNode manifest = sample.manifest().deepCopy();
            String name = ns.name() + "-" + sample.name();
            ((ObjectNode) manifest.get("metadata")).put("name", name);
            appliedProfiles.add(name);

            apply(cluster, manifest, sample);
            JsonNode stored = RepoFiles.parseJson(cluster.kubectl("get", "probeprofiles.sonde.dev", name, "-o", "json").orThrow());
            assertThat(JsonSubset.differences(sample.manifest().get("spec"), stored.get("spec"))).as("%s read back", sample).isEmpty();
            assertThat(cluster.kubectl("get", "pp", name, "-o", "jsonpath={.spec.interval}").orThrow())
                    .isEqualTo(sample.manifest().path("spec").path("interval").asText());
        }
    }

    @Test
    void monitorsApplyAndReadBackUnchanged(ControlPlane cluster, TestNamespace ns) {
        for (SampleManifests.Sample sample : samples.ofKind("NetworkMonitor")) {
            ObjectNode manifest = sample.manifest().deepCopy();
            ((ObjectNode) manifest.get("metadata")).put("namespace", ns.name());
            String profile = ns.name() + "-" + manifest.path("spec").path("profile").asText();
            ((ObjectNode) manifest.get("spec")).put("profile", profile);

            apply(cluster, manifest, sample);
            JsonNode stored = RepoFiles.parseJson(cluster.kubectl("get", "networkmonitors.sonde.dev", sample.name(),
                    "-n", ns.name(), "-o", "json").orThrow());
            assertThat(JsonSubset.differences(manifest.get("spec"), stored.get("spec"))).as("%s read back", sample).isEmpty();
            // The PROFILE printer column, as a user sees it.
            assertThat(cluster.kubectl("get", "nm", sample.name(), "-n", ns.name(), "--no-headers",
                    "-o", "custom-columns=PROFILE:.spec.profile").orThrow().strip()).isEqualTo(profile);
        }
    }

    /** As written, in the namespaces they name, without persisting (demo may not exist: checked separately). */
    @Test
    void samplesAsWrittenPassServerSideDryRun(ControlPlane cluster) {
        for (SampleManifests.Sample sample : samples.all()) {
            String namespace = sample.manifest().path("metadata").path("namespace").asText("");
            if (!namespace.isEmpty() && !cluster.kubectl("get", "namespace", namespace).succeeded()) {
                continue;
            }
            KubectlResult result = cluster.kubectlWithInput(RepoFiles.toJson(sample.manifest()),
                    "apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", "-");
            assertThat(result.exitCode()).as("%s: %s", sample, result.stderr()).isZero();
        }
    }

    /** The directory as a user applies it: every file a manifest kubectl understands (no kustomization.yaml). */
    @Test
    void directoryAppliesWithKubectl(ControlPlane cluster) {
        KubectlResult result = cluster.kubectl("apply", "--dry-run=client", "-f", "config/samples/", "-o", "name");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().lines()).hasSize(samples.all().size());
    }

    private static void apply(ControlPlane cluster, JsonNode manifest, SampleManifests.Sample sample) {
        KubectlResult result = cluster.kubectlWithInput(RepoFiles.toJson(manifest), "apply", "--server-side", "-f", "-");
        assertThat(result.exitCode()).as("apply %s: %s", sample, result.stderr()).isZero();
    }
}
