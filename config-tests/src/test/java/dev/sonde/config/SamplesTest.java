package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What config/samples promises a user, checked without a cluster (SamplesIT applies them for real). */
class SamplesTest {

    private final SampleManifests samples = SampleManifests.load();

    @Test
    void shipsTheDocumentedProfilesAndMonitors() {
        assertThat(samples.ofKind("ProbeProfile")).extracting(SampleManifests.Sample::name)
                .containsExactlyInAnyOrder("standard", "low-overhead", "deep-dive", "flows");
        assertThat(samples.ofKind("NetworkMonitor")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(samples.all()).allSatisfy(s -> assertThat(s.kind()).isIn("ProbeProfile", "NetworkMonitor", "Namespace"));
    }

    @Test
    void everyMonitorUsesASampleProfileInANamespaceThatExists() {
        Set<String> profiles = samples.ofKind("ProbeProfile").stream().map(SampleManifests.Sample::name).collect(Collectors.toSet());
        Set<String> namespaces = samples.ofKind("Namespace").stream().map(SampleManifests.Sample::name).collect(Collectors.toSet());
        namespaces.add(Sonde.NAMESPACE); // from config/rbac
        assertThat(samples.ofKind("NetworkMonitor")).allSatisfy(monitor -> {
            assertThat(profiles).contains(monitor.manifest().path("spec").path("profile").asText());
            assertThat(namespaces).contains(monitor.manifest().path("metadata").path("namespace").asText());
        });
    }

    /** A namespaceSelector is honoured only in the operator's own namespace by default. */
    @Test
    void namespaceSelectorIsUsedOnlyInSondeSystem() {
        assertThat(samples.ofKind("NetworkMonitor"))
                .filteredOn(m -> m.manifest().path("spec").has("namespaceSelector"))
                .isNotEmpty()
                .allSatisfy(m -> assertThat(m.manifest().path("metadata").path("namespace").asText()).isEqualTo(Sonde.NAMESPACE));
    }
}
