package dev.sonde.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.Probe;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelSelectionTest {

    private static final CgroupId A = new CgroupId(1);
    private static final CgroupId B = new CgroupId(2);
    private static final CgroupId C = new CgroupId(3);

    @Test
    void selectsNewAndChangedMasksUnselectsGoneCgroupsAndSwapsProbes() {
        KernelSelection current = new KernelSelection(Map.of(A, 1L, B, 1L), Map.of(), Map.of(), Set.of(Probe.TCP_CONNECTIONS, Probe.DNS));
        KernelSelection desired = new KernelSelection(Map.of(B, 3L, C, 2L), Map.of(), Map.of(), Set.of(Probe.TCP_CONNECTIONS, Probe.TRAFFIC));

        KernelSelection.Change change = current.changeTo(desired);

        assertThat(change.select()).containsOnly(Map.entry(B, 3L), Map.entry(C, 2L));
        assertThat(change.unselect()).containsExactly(A);
        assertThat(change.attach()).containsExactly(Probe.TRAFFIC);
        assertThat(change.detach()).containsExactly(Probe.DNS);
    }

    @Test
    void dnsPortsChangeOnlyWhereTheyDiffer() {
        KernelSelection current = new KernelSelection(Map.of(A, 1L, B, 1L), Map.of(A, Set.of(53), B, Set.of(53)),
                Map.of(), Set.of(Probe.DNS));
        KernelSelection desired = new KernelSelection(Map.of(A, 1L, B, 1L, C, 1L),
                Map.of(A, Set.of(53), B, Set.of(53, 5353), C, Set.of(5353)), Map.of(), Set.of(Probe.DNS));

        KernelSelection.Change change = current.changeTo(desired);

        assertThat(change.dnsPorts()).containsOnly(Map.entry(B, Set.of(53, 5353)), Map.entry(C, Set.of(5353)));
        assertThat(current.changeTo(new KernelSelection(Map.of(A, 1L, B, 1L), Map.of(A, Set.of(53)), Map.of(), Set.of(Probe.DNS)))
                .dnsPorts()).containsOnly(Map.entry(B, Set.of()));
    }

    @Test
    void flowBudgetsChangeOnlyWhereTheyDiffer() {
        KernelSelection current = new KernelSelection(Map.of(A, 1L, B, 1L), Map.of(), Map.of(A, 64, B, 64),
                Set.of(Probe.FLOWS));
        KernelSelection desired = new KernelSelection(Map.of(A, 1L, B, 1L, C, 1L), Map.of(), Map.of(A, 64, C, 8),
                Set.of(Probe.FLOWS));

        assertThat(current.changeTo(desired).flowBudgets()).containsOnly(Map.entry(B, 0), Map.entry(C, 8));
    }

    @Test
    void theSameSelectionNeedsNoChange() {
        KernelSelection selection = new KernelSelection(Map.of(A, 1L), Map.of(), Map.of(), Set.of(Probe.TCP_RESETS));
        assertThat(selection.changeTo(new KernelSelection(Map.of(A, 1L), Map.of(), Map.of(), Set.of(Probe.TCP_RESETS))).isEmpty()).isTrue();
    }

    @Test
    void everythingGoesWhenNothingIsWanted() {
        KernelSelection current = new KernelSelection(Map.of(A, 1L), Map.of(), Map.of(), Set.of(Probe.TCP_RESETS));
        KernelSelection.Change change = current.changeTo(KernelSelection.NOTHING);
        assertThat(change.unselect()).containsExactly(A);
        assertThat(change.detach()).containsExactly(Probe.TCP_RESETS);
        assertThat(change.select()).isEmpty();
    }
}
