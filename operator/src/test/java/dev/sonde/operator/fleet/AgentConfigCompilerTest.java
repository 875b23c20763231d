package dev.sonde.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.ExportSpec;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.OtlpExportSpec;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.PrometheusExportSpec;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.SecretReference;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.monitor.MonitorResolution;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentConfigCompilerTest {

    private static final ProbeProfile PROFILE = Fixtures.profile("std", "15s", ProbeName.TCP_RETRANSMITS, ProbeName.DNS);

    private static AgentConfigCompiler.Candidate candidate(NetworkMonitor monitor) {
        return new AgentConfigCompiler.Candidate(monitor,
                new MonitorResolution.Accepted(PROFILE, List.of(monitor.getMetadata().getNamespace()), false));
    }

    private static NetworkMonitor monitor(String name, String created) {
        NetworkMonitor m = Fixtures.monitor("shop", name, "std");
        m.getMetadata().setCreationTimestamp(created);
        return m;
    }

    private static int index(AgentConfig config, String name) {
        return config.monitors().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().index();
    }

    @Test
    void compilesTheProfileIn() {
        AgentConfig config = AgentConfigCompiler.compile(List.of(candidate(monitor("web", "2026-01-01T00:00:00Z"))),
                null).config();
        CompiledMonitor web = config.monitors().getFirst();
        assertThat(web.intervalMillis()).isEqualTo(15_000);
        assertThat(web.profile()).isEqualTo("std");
        assertThat(web.probes()).extracting(p -> p.name()).containsExactly(ProbeName.DNS, ProbeName.TCP_RETRANSMITS);
        assertThat(web.probes().getFirst().dnsPorts()).containsExactly(53);
        assertThat(web.podSelector().matchLabels()).containsEntry("app", "web");
        assertThat(config.hash()).isEqualTo(config.computeHash());
        assertThat(AgentConfig.fromJson(config.toJson())).isEqualTo(config);
    }

    @Test
    void indexesStayStableAndNewcomersTakeTheLowestFree() {
        NetworkMonitor a = monitor("a", "2026-01-01T00:00:01Z");
        NetworkMonitor b = monitor("b", "2026-01-01T00:00:02Z");
        NetworkMonitor c = monitor("c", "2026-01-01T00:00:03Z");
        AgentConfig first = AgentConfigCompiler.compile(List.of(candidate(c), candidate(b), candidate(a)), null).config();
        assertThat(List.of(index(first, "a"), index(first, "b"), index(first, "c"))).containsExactly(0, 1, 2);

        // a is deleted: b and c keep 1 and 2, d takes 0
        NetworkMonitor d = monitor("d", "2026-01-01T00:00:04Z");
        AgentConfig second = AgentConfigCompiler.compile(List.of(candidate(d), candidate(c), candidate(b)), first)
                .config();
        assertThat(index(second, "b")).isEqualTo(1);
        assertThat(index(second, "c")).isEqualTo(2);
        assertThat(index(second, "d")).isEqualTo(0);
    }

    @Test
    void moreThanSixtyFourMonitorsAreAllCompiledWithDistinctIndexes() {
        // The kernel mask only says "selected"; the agent attributes counts per monitor itself, so no cap.
        List<AgentConfigCompiler.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            candidates.add(candidate(monitor("m" + i, "2026-01-01T00:%02d:00Z".formatted(i))));
        }
        var compilation = AgentConfigCompiler.compile(candidates, null);
        assertThat(compilation.config().monitors()).hasSize(70)
                .extracting(CompiledMonitor::index).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < 70);
        assertThat(compilation.config().monitors()).allMatch(m -> m.bit() != 0);
    }

    @Test
    void exportDefaultsAndOtlp() {
        assertThat(AgentConfigCompiler.export("shop", null)).isEqualTo(CompiledExport.PROMETHEUS_ONLY);
        OtlpExportSpec otlp = new OtlpExportSpec("http://collector:4318", OtlpProtocol.HTTP_PROTOBUF);
        otlp.setHeadersSecretRef(new SecretReference("otlp-headers"));
        CompiledExport export = AgentConfigCompiler.export("shop", new ExportSpec(otlp, new PrometheusExportSpec(false)));
        assertThat(export.prometheus()).isFalse();
        assertThat(export.otlp().endpoint()).isEqualTo("http://collector:4318");
        assertThat(export.otlp().headersSecret()).isEqualTo(new CompiledExport.SecretRef("shop", "otlp-headers"));
    }

    @Test
    void flowsAreTrustedOnlyForMonitorsInTrustedNamespaces() {
        ProbeProfile flows = Fixtures.profile("flows", "15s", ProbeName.FLOWS, ProbeName.TCP_CONNECTIONS);
        NetworkMonitor tenant = Fixtures.monitor("shop", "web", "flows");
        NetworkMonitor platform = Fixtures.monitor("sonde-system", "fleet", "flows");
        List<String> trusted = List.of("sonde-system");
        List<AgentConfigCompiler.Candidate> candidates = new ArrayList<>();
        for (NetworkMonitor m : List.of(tenant, platform)) {
            candidates.add(new AgentConfigCompiler.Candidate(m, (MonitorResolution.Accepted)
                    MonitorResolution.resolve(m, flows, trusted, List.of())));
        }

        AgentConfig config = AgentConfigCompiler.compile(candidates, null).config();

        assertThat(flowsOf(config, "web").trusted()).isFalse();
        assertThat(flowsOf(config, "fleet").trusted()).isTrue();
        assertThat(flowsOf(config, "web")).as("the rest is the profile's, defaults filled")
                .isEqualTo(CompiledFlows.DEFAULTS);
        assertThat(config.monitors()).allSatisfy(m -> assertThat(m.probes())
                .filteredOn(p -> p.name() == ProbeName.TCP_CONNECTIONS).allMatch(p -> p.flows() == null));
        assertThat(AgentConfig.fromJson(config.toJson())).as("round trip").isEqualTo(config);
    }

    private static CompiledFlows flowsOf(AgentConfig config, String monitor) {
        return config.monitors().stream().filter(m -> m.name().equals(monitor)).findFirst().orElseThrow().probes()
                .stream().filter(p -> p.name() == ProbeName.FLOWS).findFirst().orElseThrow().flows();
    }
}
