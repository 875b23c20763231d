package dev.sonde.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T01:00:00Z");

    @Test
    void transitionTimeChangesOnlyWhenStatusFlips() {
        List<Condition> first = Conditions.with(List.of(), "Ready", false, "ProfileNotFound", "m", 1L, T0);
        List<Condition> sameStatus = Conditions.with(first, "Ready", false, "NamespaceSelectorForbidden", "m", 2L, T1);
        assertThat(sameStatus.getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(sameStatus.getFirst().getReason()).isEqualTo("NamespaceSelectorForbidden");
        assertThat(sameStatus.getFirst().getObservedGeneration()).isEqualTo(2L);

        List<Condition> flipped = Conditions.with(sameStatus, "Ready", true, "Monitoring", "m", 2L, T1);
        assertThat(flipped.getFirst().getLastTransitionTime()).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(flipped.getFirst().getStatus()).isEqualTo("True");
        assertThat(flipped).hasSize(1);
    }

    @Test
    void keepsOtherTypes() {
        List<Condition> other = Conditions.with(null, "Degraded", true, "X", "m", 1L, T0);
        assertThat(Conditions.with(other, "Ready", true, "Y", "m", 1L, T0)).extracting(Condition::getType)
                .containsExactly("Degraded", "Ready");
    }
}
