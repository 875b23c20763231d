package dev.sonde.api.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.SelectorOperator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    private static CompiledMonitor checkout(List<String> namespaces, List<CompiledProbe> probes, long intervalMillis) {
        return new CompiledMonitor("shop", "checkout", "6f1c7a52-3d1e-4b8a-9c0d-2e5f7a8b9c01", 0, "standard",
                intervalMillis, probes, namespaces,
                new CompiledSelector(Map.of("app.kubernetes.io/name", "checkout", "tier", "backend"),
                        List.of(new CompiledSelector.Requirement("canary", SelectorOperator.DOES_NOT_EXIST, null))),
                null,
                new CompiledExport(new CompiledExport.Otlp("http://otel-collector.observability:4317", OtlpProtocol.GRPC,
                        new CompiledExport.SecretRef("shop", "otlp-headers")), true));
    }

    private static CompiledMonitor payments() {
        return new CompiledMonitor("sonde-system", "payments", "0b6e1d2c-7f3a-4e5b-8c9d-1a2b3c4d5e6f", 5, "tcp-basics",
                30_000, List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS), CompiledProbe.of(ProbeName.TCP_RETRANSMITS)),
                List.of("payments-eu", "payments-us"), null,
                new CompiledSelector(Map.of("kubernetes.io/os", "linux"), null), CompiledExport.PROMETHEUS_ONLY);
    }

    private static List<CompiledProbe> probes() {
        return List.of(
                CompiledProbe.of(ProbeName.TCP_CONNECTIONS),
                new CompiledProbe(ProbeName.DNS, List.of(5353, 53), null, null),
                CompiledProbe.of(ProbeName.TCP_RTT));
    }

    @Test
    void sameContentInAnyOrderGivesTheSameHash() {
        AgentConfig a = AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000), payments()));
        List<CompiledProbe> reversed = new ArrayList<>(probes());
        java.util.Collections.reverse(reversed);
        AgentConfig b = AgentConfig.of(List.of(payments(), checkout(List.of("shop", "shop"), reversed, 15_000)));

        assertThat(b.hash()).isEqualTo(a.hash());
        assertThat(b.toJson()).isEqualTo(a.toJson());
        assertThat(a.hash()).matches("[0-9a-f]{64}");
    }

    @Test
    void hashChangesWhenContentChanges() {
        String base = AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000))).hash();

        assertThat(AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 30_000))).hash())
                .as("interval").isNotEqualTo(base);
        assertThat(AgentConfig.of(List.of(checkout(List.of("shop", "shop-canary"), probes(), 15_000))).hash())
                .as("namespaces").isNotEqualTo(base);
        List<CompiledProbe> otherPorts = List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS),
                new CompiledProbe(ProbeName.DNS, List.of(53), null, null), CompiledProbe.of(ProbeName.TCP_RTT));
        assertThat(AgentConfig.of(List.of(checkout(List.of("shop"), otherPorts, 15_000))).hash())
                .as("dns ports").isNotEqualTo(base);
        assertThat(AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000), payments())).hash())
                .as("another monitor").isNotEqualTo(base);
        assertThat(AgentConfig.of(List.of()).hash()).as("no monitors").isNotEqualTo(base);
    }

    @Test
    void hashIsSha256OfTheCanonicalJsonWithoutTheHash() throws Exception {
        AgentConfig config = AgentConfig.of(List.of(payments()));
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(config.canonicalJson().getBytes(StandardCharsets.UTF_8));

        assertThat(config.hash()).isEqualTo(java.util.HexFormat.of().formatHex(digest));
        assertThat(config.canonicalJson()).doesNotContain("\"hash\"").doesNotContain(" ").doesNotContain("\n");
    }

    @Test
    void canonicalJsonHasSortedKeysEverywhere() throws IOException {
        JsonNode json = new ObjectMapper().readTree(AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000)))
                .toJson());
        assertSortedKeys(json, "$");
    }

    private static void assertSortedKeys(JsonNode node, String path) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(path).isSorted();
            for (String key : keys) {
                assertSortedKeys(node.get(key), path + "." + key);
            }
        } else if (node.isArray()) {
            Iterator<JsonNode> elements = node.elements();
            for (int i = 0; elements.hasNext(); i++) {
                assertSortedKeys(elements.next(), path + "[" + i + "]");
            }
        }
    }

    @Test
    void jsonRoundTripKeepsEverything() {
        AgentConfig config = AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000), payments()));
        AgentConfig read = AgentConfig.fromJson(config.toJson());

        assertThat(read).isEqualTo(config);
        assertThat(read.monitors()).extracting(CompiledMonitor::index).containsExactly(0, 5);
        assertThat(read.monitors().get(1).bit()).isEqualTo(1L << 5);
        assertThat(read.monitors().get(0).probes()).extracting(CompiledProbe::name)
                .containsExactly(ProbeName.DNS, ProbeName.TCP_CONNECTIONS, ProbeName.TCP_RTT);
        assertThat(read.monitors().get(0).probes().get(0).dnsPorts()).containsExactly(53, 5353);
    }

    /**
     * A golden file: the canonical form (and so every hash) must not change by accident, or every agent
     * restarts on an operator upgrade. Change it on purpose, and bump schemaVersion when an agent of the previous
     * version would read the new form wrongly (it ignores fields it does not know).
     */
    @Test
    void canonicalFormMatchesTheGoldenSample() throws IOException {
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/samples/agent-config.json")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        AgentConfig built = AgentConfig.of(List.of(checkout(List.of("shop"), probes(), 15_000), payments()));

        assertThat(built.toJson()).isEqualTo(golden);
        assertThat(AgentConfig.fromJson(golden)).isEqualTo(built);
    }

    @Test
    void refusesATamperedConfig() {
        String json = AgentConfig.of(List.of(payments())).toJson().replace("30000", "1000");
        assertThatThrownBy(() -> AgentConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match its content");
    }

    @Test
    void refusesAnUnknownSchemaVersion() {
        String json = AgentConfig.of(List.of()).toJson().replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        assertThatThrownBy(() -> AgentConfig.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schemaVersion 2 is not supported");
    }

    @Test
    void monitorsMustHaveDistinctNonNegativeIndices() {
        CompiledMonitor first = payments();
        CompiledMonitor second = new CompiledMonitor("shop", "other", "uid-2", first.index(), "p", 15_000, List.of(),
                null, null, null, null);
        assertThatThrownBy(() -> AgentConfig.of(List.of(first, second))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CompiledMonitor("shop", "x", "uid", -1, "p", 15_000, List.of(), null, null, null,
                null)).isInstanceOf(IllegalArgumentException.class);
        // Beyond 63 the kernel bits repeat: the mask only has to be non-zero.
        CompiledMonitor many = new CompiledMonitor("shop", "x", "uid", 64 + 5, "p", 15_000, List.of(), null, null, null,
                null);
        assertThat(many.bit()).isEqualTo(1L << 5);
    }
}
