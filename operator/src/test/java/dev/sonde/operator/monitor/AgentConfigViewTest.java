package dev.sonde.operator.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.SondeNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentConfigViewTest {

    private final NetworkMonitor a = Fixtures.monitor("shop", "a", "std");
    private final NetworkMonitor b = Fixtures.monitor("shop", "b", "std");
    private final NetworkMonitor c = Fixtures.monitor("blog", "c", "std");
    private final List<NetworkMonitor> cache = new ArrayList<>(List.of(a, b, c));
    private final AgentConfigView view = new AgentConfigView(() -> cache.stream());

    private static ConfigMap configMap(String resourceVersion, long intervalMillis, NetworkMonitor... monitors) {
        List<CompiledMonitor> compiled = new ArrayList<>();
        for (int i = 0; i < monitors.length; i++) {
            NetworkMonitor m = monitors[i];
            compiled.add(new CompiledMonitor(m.getMetadata().getNamespace(), m.getMetadata().getName(),
                    m.getMetadata().getUid(), i, "std", intervalMillis, null, null, null, null, null));
        }
        return configMap(resourceVersion, AgentConfig.of(compiled).toJson());
    }

    private static ConfigMap configMap(String resourceVersion, String json) {
        return new ConfigMapBuilder().withNewMetadata().withName(SondeNames.AGENT_CONFIG_MAP)
                .withNamespace("sonde-system").withResourceVersion(resourceVersion).endMetadata().withData(Map.of(AgentConfig.CONFIG_MAP_KEY, json))
                .build();
    }

    private static void ready(NetworkMonitor monitor, boolean status, String reason) {
        NetworkMonitorStatus s = new NetworkMonitorStatus();
        s.setConditions(Conditions.with(null, Conditions.READY, status, reason, "", 1L, Instant.EPOCH));
        monitor.setStatus(s);
    }

    private static ResourceID[] ids(NetworkMonitor... monitors) {
        return Arrays.stream(monitors).map(ResourceID::fromResource).toArray(ResourceID[]::new);
    }

    @Test
    void theFirstVersionConcernsEveryMonitor() {
        assertThat(view.monitorsConcerned(configMap("1", 15_000, a))).containsExactlyInAnyOrder(ids(a, b, c));
    }

    @Test
    void aNewVersionConcernsTheMonitorsThatCameIntoItOrLeftIt() {
        view.monitorsConcerned(configMap("1", 15_000, a, b));
        assertThat(view.monitorsConcerned(configMap("2", 15_000, a, b, c))).containsExactly(ids(c));
        assertThat(view.monitorsConcerned(configMap("3", 15_000, a, c))).containsExactly(ids(b));
        assertThat(view.monitorsConcerned(configMap("4", 30_000, a, c)))
                .as("a rewrite with the same monitors changes no status").isEmpty();
    }

    @Test
    void aCachedStatusThatContradictsTheNewVersionConcernsItsMonitor() {
        view.monitorsConcerned(configMap("1", 15_000, a, b));
        ready(a, false, Reasons.CONFIG_PENDING); // written from an older version
        ready(b, true, Reasons.MONITORING); // compiled, and then a version that dropped it was missed
        ready(c, false, Reasons.PROFILE_NOT_FOUND); // never compiled: the config doesn't change its status
        assertThat(view.monitorsConcerned(configMap("2", 30_000, a))).containsExactlyInAnyOrder(ids(a, b));

        ready(a, true, Reasons.NO_PODS_SELECTED);
        ready(b, false, Reasons.CONFIG_PENDING);
        assertThat(view.monitorsConcerned(configMap("3", 15_000, a))).isEmpty();
    }

    @Test
    void aDeletionConcernsEveryMonitorAndSoDoesTheNextVersion() {
        ConfigMap v1 = configMap("1", 15_000, a, b, c);
        view.monitorsConcerned(v1);
        assertThat(view.monitorsConcerned(v1)).as("a deletion arrives as the last state").hasSize(3);
        assertThat(view.monitorsConcerned(configMap("2", 15_000, a, b, c))).hasSize(3);
        assertThat(view.monitorsConcerned(configMap("3", 15_000, a, b, c))).isEmpty();
    }

    @Test
    void parsesEachVersionOnceAndAnUnreadableConfigHoldsNoMonitor() {
        ConfigMap v1 = configMap("1", 15_000, a);
        AgentConfig parsed = view.config(Optional.of(v1));
        assertThat(parsed.monitors()).extracting(CompiledMonitor::uid).containsExactly(a.getMetadata().getUid());
        view.monitorsConcerned(v1);
        assertThat(view.config(Optional.of(configMap("1", 15_000, a)))).isSameAs(parsed);
        assertThat(view.config(Optional.empty())).isNull();

        assertThat(view.config(Optional.of(configMap("2", "{not json")))).isNull();
        assertThat(view.monitorsConcerned(configMap("3", "{not json"))).as("a left the config").containsExactly(ids(a));
    }
}
