package dev.sonde.operator.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.DurationThreshold;
import dev.sonde.api.v1alpha1.OverheadClass;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeProfileStatus;
import dev.sonde.operator.Fixtures;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeProfileReconcilerTest {

    @Test
    void validProfileIsReadyWithColumns() {
        ProbeProfile profile = Fixtures.profile("std", "15s", ProbeName.TCP_CONNECTIONS, ProbeName.DNS);
        ProbeProfileStatus status = ProbeProfileReconciler.desiredStatus(profile, 3, new ProbeProfileStatus(),
                Instant.EPOCH);
        assertThat(status.getProbeSummary()).isEqualTo("tcpConnections,dns");
        assertThat(status.getOverheadClass()).isEqualTo(OverheadClass.LOW);
        assertThat(status.getMonitors()).isEqualTo(3);
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getConditions().getFirst().getStatus()).isEqualTo("True");
        assertThat(status.getConditions().getFirst().getReason()).isEqualTo("Valid");
    }

    @Test
    void whatCelMissedMakesItInvalid() {
        // stored before the CEL rule existed: degraded above critical, an unparsable interval
        ProbeProfile profile = Fixtures.profile("old", "fortnight", ProbeName.TCP_CONNECTIONS);
        profile.getSpec().getHealth().setConnectLatencyP99(new DurationThreshold("2s", "1s"));
        ProbeProfileStatus status = ProbeProfileReconciler.desiredStatus(profile, 0, new ProbeProfileStatus(),
                Instant.EPOCH);
        assertThat(status.getConditions().getFirst().getStatus()).isEqualTo("False");
        assertThat(status.getConditions().getFirst().getReason()).isEqualTo("Invalid");
        assertThat(status.getConditions().getFirst().getMessage())
                .contains("interval fortnight is not a duration")
                .contains("degraded 2s is above critical 1s");
    }
}
