package dev.sonde.operator.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.OverheadClass;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.operator.Fixtures;
import org.junit.jupiter.api.Test;

class OverheadClassifierTest {

    @Test
    void connectionStateProbesAreLow() {
        assertThat(OverheadClassifier.classify(Fixtures.profile("p", "15s", ProbeName.TCP_CONNECTIONS,
                ProbeName.TCP_RETRANSMITS, ProbeName.TCP_RESETS).getSpec())).isEqualTo(OverheadClass.LOW);
    }

    @Test
    void perPacketProbesRaiseTheClass() {
        assertThat(OverheadClassifier.classify(Fixtures.profile("p", "15s", ProbeName.TCP_CONNECTIONS,
                ProbeName.TRAFFIC).getSpec())).isEqualTo(OverheadClass.MEDIUM);
        assertThat(OverheadClassifier.classify(Fixtures.profile("p", "15s", ProbeName.TRAFFIC, ProbeName.PACKET_DROPS,
                ProbeName.DNS).getSpec())).isEqualTo(OverheadClass.HIGH);
    }

    /** tcpRtt reads srtt once per connection on the same state-change tracepoint as tcpConnections. */
    @Test
    void rttCostsLikeAConnectionStateProbe() {
        assertThat(OverheadClassifier.score(Fixtures.profile("p", "15s", ProbeName.TCP_RTT).getSpec())).isEqualTo(1);
        assertThat(OverheadClassifier.score(Fixtures.profile("p", "15s", ProbeName.TCP_CONNECTIONS, ProbeName.TCP_RTT)
                .getSpec())).isEqualTo(2);
    }

    @Test
    void aShortIntervalCounts() {
        assertThat(OverheadClassifier.score(Fixtures.profile("p", "2s", ProbeName.TCP_RTT).getSpec())).isEqualTo(2);
        assertThat(OverheadClassifier.score(Fixtures.profile("p", "5s", ProbeName.TCP_RTT).getSpec())).isEqualTo(1);
    }

    /** flows keeps per-connection socket storage and looks a peer up on every send and receive. */
    @Test
    void flowsIsTheMostExpensiveProbe() {
        assertThat(OverheadClassifier.score(Fixtures.profile("p", "15s", ProbeName.FLOWS).getSpec())).isEqualTo(4);
        assertThat(OverheadClassifier.classify(Fixtures.profile("p", "15s", ProbeName.FLOWS).getSpec()))
                .isEqualTo(OverheadClass.MEDIUM);
        assertThat(OverheadClassifier.classify(Fixtures.profile("p", "15s", ProbeName.FLOWS, ProbeName.TRAFFIC)
                .getSpec())).isEqualTo(OverheadClass.HIGH);
    }
}
