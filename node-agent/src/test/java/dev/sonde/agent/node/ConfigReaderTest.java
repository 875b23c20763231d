package dev.sonde.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    @Test
    void aValidConfigReadsWhole() {
        AgentConfig config = AgentConfig.of(List.of(monitor("a", 0, null), monitor("b", 1, null)));

        ConfigReader.Read read = ConfigReader.read(config.toJson());

        assertThat(read.hash()).isEqualTo(config.hash());
        assertThat(read.monitors()).isEqualTo(config.monitors());
        assertThat(read.rejected()).isEmpty();
    }

    @Test
    void anUnknownProbeFailsOnlyItsMonitor() {
        String json = AgentConfig.of(List.of(monitor("a", 0, null), monitor("b", 1, null))).toJson()
                .replaceFirst("\"name\":\"tcpConnections\"", "\"name\":\"tcpTeleport\"");

        ConfigReader.Read read = ConfigReader.read(json);

        assertThat(read.monitors()).extracting(CompiledMonitor::name).containsExactly("b");
        assertThat(read.rejected()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("a");
            assertThat(r.uid()).isEqualTo("uid-a");
            assertThat(r.reason()).isEqualTo(ConfigReader.UNSUPPORTED_PROBE);
            assertThat(r.message()).contains("tcpTeleport");
        });
    }

    @Test
    void aMalformedEntryOrADuplicateIndexIsAnInvalidEntry() {
        String json = """
                {"schemaVersion":1,"hash":"h","monitors":[
                 {"namespace":"ns","name":"a","uid":"uid-a","index":0,"intervalMillis":-5},
                 {"namespace":"ns","name":"b","uid":"uid-b","index":1,"intervalMillis":1000},
                 {"namespace":"ns","name":"c","uid":"uid-c","index":1,"intervalMillis":1000},
                 "not an object"]}""";

        ConfigReader.Read read = ConfigReader.read(json);

        assertThat(read.hash()).isEqualTo("h");
        assertThat(read.monitors()).extracting(CompiledMonitor::name).containsExactly("b");
        assertThat(read.rejected()).extracting(ConfigReader.Rejected::name, ConfigReader.Rejected::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", ConfigReader.INVALID_CONFIG_ENTRY),
                        org.assertj.core.groups.Tuple.tuple("c", ConfigReader.INVALID_CONFIG_ENTRY),
                        org.assertj.core.groups.Tuple.tuple("", ConfigReader.INVALID_CONFIG_ENTRY));
        assertThat(read.rejected().getFirst().message()).contains("intervalMillis");
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlFailsTheMonitorAndHeadersFromASecretDoNot() {
        CompiledMonitor badUrl = monitor("a", 0, new CompiledExport(
                new CompiledExport.Otlp("collector:4317", OtlpProtocol.GRPC, null), true));
        CompiledMonitor headers = monitor("b", 1, new CompiledExport(new CompiledExport.Otlp("http://c:4317",
                OtlpProtocol.GRPC, new CompiledExport.SecretRef("ns", "otlp-headers")), true));
        CompiledMonitor good = monitor("c", 2, new CompiledExport(
                new CompiledExport.Otlp("http://collector.monitoring:4318", OtlpProtocol.HTTP_PROTOBUF, null), false));

        ConfigReader.Read read = ConfigReader.read(AgentConfig.of(List.of(badUrl, headers, good)).toJson());

        assertThat(read.monitors()).extracting(CompiledMonitor::name).containsExactly("b", "c");
        assertThat(read.rejected()).extracting(ConfigReader.Rejected::reason)
                .containsExactly(ConfigReader.INVALID_EXPORT);
    }

    @Test
    void aDocumentOfAnotherSchemaIsRefusedWhole() {
        assertThatThrownBy(() -> ConfigReader.read("{\"schemaVersion\":2,\"monitors\":[]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schemaVersion 2");
        assertThatThrownBy(() -> ConfigReader.read("[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfigReader.read("{oops")).isInstanceOf(IllegalArgumentException.class);
    }

    private static CompiledMonitor monitor(String name, int index, CompiledExport export) {
        return new CompiledMonitor("ns", name, "uid-" + name, index, "standard", 1000,
                List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS)), null, null, null, export);
    }
}
