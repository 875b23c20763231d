package dev.sonde.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every sample reads into the API classes and writes back unchanged: no field is lost or renamed. */
class SampleRoundTripTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "ProbeProfile", ProbeProfile.class,
            "NetworkMonitor", NetworkMonitor.class,
            "AgentReport", AgentReport.class);

    static String sample(String name) throws IOException {
        try (InputStream in = SampleRoundTripTest.class.getResourceAsStream("/samples/" + name)) {
            assertThat(in).as("sample %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "probeprofile-standard.yaml",
            "probeprofile-minimal.yaml",
            "probeprofile-with-status.yaml",
            "networkmonitor-checkout.yaml",
            "networkmonitor-minimal.yaml",
            "networkmonitor-namespaces.yaml",
            "networkmonitor-with-status.yaml",
            "agentreport-node-a.yaml"})
    void sampleSurvivesARoundTrip(String name) throws IOException {
        String yaml = sample(name);
        JsonNode original = SERIALIZATION.unmarshal(yaml, JsonNode.class);
        Class<? extends HasMetadata> kind = KINDS.get(original.get("kind").asText());

        HasMetadata typed = SERIALIZATION.unmarshal(yaml, kind);
        JsonNode written = SERIALIZATION.convertValue(typed, JsonNode.class);

        // 5 and 5.0 are the same number to the API server; compare numbers by value.
        assertThat(written.equals((a, b) -> a.isNumber() && b.isNumber()
                ? Double.compare(a.asDouble(), b.asDouble()) : a.equals(b) ? 0 : 1, original))
                .as("%s after a round trip:%n%s%nexpected:%n%s", name, written.toPrettyString(), original.toPrettyString())
                .isTrue();
    }
}
