package dev.sonde.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigPolicyTest {

    private final ConfigPolicy policy = new ConfigPolicy();

    @Test
    void validEntriesRunAsWritten() {
        ConfigPolicy.Effective e = policy.apply(read("h1", List.of(monitor("a", 0), monitor("b", 1)), List.of()));
        assertThat(e.config().hash()).isEqualTo("h1");
        assertThat(e.config().monitors()).extracting(CompiledMonitor::uid).containsExactly("uid-a", "uid-b");
        assertThat(e.rejected()).isEmpty();
    }

    @Test
    void aRejectedEntryKeepsTheMonitorsLastValidEntryRunning() {
        policy.apply(read("h1", List.of(monitor("a", 0), monitor("b", 1)), List.of()));

        ConfigPolicy.Effective e = policy.apply(read("h2", List.of(monitor("a", 0)), List.of(rejected("b"))));

        assertThat(e.config().monitors()).extracting(CompiledMonitor::uid).containsExactlyInAnyOrder("uid-a", "uid-b");
        assertThat(e.rejected()).containsOnlyKeys("uid-b");
        // still rejected at the next read: the same last valid entry keeps running
        ConfigPolicy.Effective again = policy.apply(read("h3", List.of(monitor("a", 0)), List.of(rejected("b"))));
        assertThat(again.config().monitors()).extracting(CompiledMonitor::uid).contains("uid-b");
    }

    @Test
    void aRejectedEntryWithoutAValidPastOnlyReports() {
        ConfigPolicy.Effective e = policy.apply(read("h1", List.of(monitor("a", 0)), List.of(rejected("new"))));
        assertThat(e.config().monitors()).extracting(CompiledMonitor::uid).containsExactly("uid-a");
        assertThat(e.rejected()).containsOnlyKeys("uid-new");
    }

    @Test
    void aValidEntryThatTookTheIndexWins() {
        policy.apply(read("h1", List.of(monitor("b", 1)), List.of()));
        ConfigPolicy.Effective e = policy.apply(read("h2", List.of(monitor("c", 1)), List.of(rejected("b"))));
        assertThat(e.config().monitors()).extracting(CompiledMonitor::uid).containsExactly("uid-c");
    }

    @Test
    void clearingForgetsTheLastValidEntries() {
        policy.apply(read("h1", List.of(monitor("b", 1)), List.of()));
        assertThat(policy.clear().config().monitors()).isEmpty();
        ConfigPolicy.Effective e = policy.apply(read("h2", List.of(), List.of(rejected("b"))));
        assertThat(e.config().monitors()).isEmpty();
    }

    private static ConfigReader.Read read(String hash, List<CompiledMonitor> monitors,
            List<ConfigReader.Rejected> rejected) {
        return new ConfigReader.Read(hash, monitors, rejected);
    }

    private static CompiledMonitor monitor(String name, int index) {
        return new CompiledMonitor("shop", name, "uid-" + name, index, "standard", 15_000,
                List.of(CompiledProbe.of(ProbeName.TCP_CONNECTIONS)), List.of("shop"), null, null, null);
    }

    private static ConfigReader.Rejected rejected(String name) {
        return new ConfigReader.Rejected("shop", name, "uid-" + name, ConfigReader.UNSUPPORTED_PROBE, "nope");
    }
}
