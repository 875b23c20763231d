package dev.sonde.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.agent.metrics.OtlpExporters;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AgentMainTest {

    @Test
    void metricsAddressIsHostAndPortOrOff() {
        assertThat(AgentMain.listenAddress("10.1.2.3:9090")).isEqualTo(new InetSocketAddress("10.1.2.3", 9090));
        assertThat(AgentMain.listenAddress("[::1]:9090")).isEqualTo(new InetSocketAddress("::1", 9090));
        assertThat(AgentMain.listenAddress("off")).isNull();
        assertThatThrownBy(() -> AgentMain.listenAddress("9090")).hasMessageContaining("host:port");
    }

    @Test
    void defaultOtlpTargetNeedsAnEndpointAndAKnownProtocol() {
        assertThat(AgentMain.defaultOtlp(null, "grpc")).isNull();
        assertThat(AgentMain.defaultOtlp("http://c:4318", "http/protobuf"))
                .isEqualTo(new OtlpExporters.Target("http://c:4318", OtlpProtocol.HTTP_PROTOBUF));
        assertThatThrownBy(() -> AgentMain.defaultOtlp("http://c:4317", "thrift"))
                .hasMessageContaining("grpc or http/protobuf");
    }
}
