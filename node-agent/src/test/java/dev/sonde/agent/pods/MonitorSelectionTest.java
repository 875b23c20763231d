package dev.sonde.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.SelectorOperator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MonitorSelectionTest {

    private static final Map<String, String> NODE = Map.of("kubernetes.io/os", "linux", "zone", "a");

    private final NodePod checkout = pod("shop", "checkout-1", "u1", Map.of("app", "checkout"));
    private final NodePod cart = pod("shop", "cart-1", "u2", Map.of("app", "cart"));
    private final NodePod other = pod("other", "checkout-9", "u3", Map.of("app", "checkout"));

    @Test
    void selectsByNamespaceAndLabels() {
        CompiledMonitor checkoutOnly = monitor(0, "shop", List.of("shop"), labels("app", "checkout"), null,
                ProbeName.TCP_CONNECTIONS);

        MonitorSelection selection = MonitorSelection.compute(List.of(checkoutOnly), NODE, List.of(checkout, cart, other));

        assertThat(selection.masks()).containsExactly(Map.entry("u1", 1L));
        assertThat(selection.podsByMonitor()).containsExactly(Map.entry(0, List.of("u1")));
        assertThat(selection.neededProbes()).containsExactly(ProbeName.TCP_CONNECTIONS);
    }

    @Test
    void masksCombineMonitorsAndNamespaceSelectorsReachOtherNamespaces() {
        CompiledMonitor allShop = monitor(0, "shop", List.of("shop"), null, null, ProbeName.TRAFFIC);
        CompiledMonitor clusterWide = monitor(5, "sonde-system", List.of("other", "shop"), labels("app", "checkout"),
                null, ProbeName.DNS);

        MonitorSelection selection = MonitorSelection.compute(List.of(allShop, clusterWide), NODE,
                List.of(checkout, cart, other));

        assertThat(selection.masks()).containsOnly(
                Map.entry("u1", 1L | 1L << 5), Map.entry("u2", 1L), Map.entry("u3", 1L << 5));
        assertThat(selection.neededProbes()).containsExactlyInAnyOrder(ProbeName.TRAFFIC, ProbeName.DNS);
        assertThat(selection.dnsPorts()).containsOnly(Map.entry("u1", Set.of(53)), Map.entry("u3", Set.of(53)));
    }

    @Test
    void dnsPortsAreTheUnionOfTheMonitorsThatSelectThePodWithTheDnsProbe() {
        CompiledMonitor mdns = monitor(0, "shop", List.of("shop"), labels("app", "checkout"), null,
                List.of(new CompiledProbe(ProbeName.DNS, List.of(5353), null, null)));
        CompiledMonitor plain = monitor(1, "shop", List.of("shop"), null, null, ProbeName.DNS);
        CompiledMonitor noDns = monitor(2, "shop", List.of("shop"), null, null, ProbeName.TCP_CONNECTIONS);

        MonitorSelection selection = MonitorSelection.compute(List.of(mdns, plain, noDns), NODE, List.of(checkout, cart));

        assertThat(selection.dnsPorts()).containsOnly(Map.entry("u1", Set.of(53, 5353)), Map.entry("u2", Set.of(53)));
        assertThat(MonitorSelection.compute(List.of(noDns), NODE, List.of(checkout)).dnsPorts()).isEmpty();
    }

    @Test
    void nodeSelectorThatDoesNotMatchSelectsNothingAndNeedsNoProbe() {
        CompiledMonitor zoneB = monitor(0, "shop", List.of("shop"), null, labels("zone", "b"), ProbeName.TCP_RTT);
        assertThat(MonitorSelection.compute(List.of(zoneB), NODE, List.of(checkout, cart))).isEqualTo(MonitorSelection.EMPTY);
    }

    @Test
    void finishedPodsAreNeverSelected() {
        NodePod done = new NodePod("shop", "job-1", "u9", Map.of("app", "checkout"), QosClass.BEST_EFFORT, true);
        CompiledMonitor all = monitor(0, "shop", List.of("shop"), null, null, ProbeName.TCP_RESETS);
        assertThat(MonitorSelection.compute(List.of(all), NODE, List.of(done)).masks()).isEmpty();
    }

    @Test
    void matchExpressionsAreHonoured() {
        CompiledSelector notCart = new CompiledSelector(Map.of(),
                List.of(new CompiledSelector.Requirement("app", SelectorOperator.NOT_IN, List.of("cart"))));
        CompiledMonitor monitor = monitor(3, "shop", List.of("shop"), notCart, null, ProbeName.TCP_CONNECTIONS);
        assertThat(MonitorSelection.compute(List.of(monitor), NODE, List.of(checkout, cart)).masks())
                .containsExactly(Map.entry("u1", 8L));
    }

    private static NodePod pod(String namespace, String name, String uid, Map<String, String> labels) {
        return new NodePod(namespace, name, uid, labels, QosClass.BURSTABLE, false);
    }

    private static CompiledSelector labels(String key, String value) {
        return new CompiledSelector(Map.of(key, value), List.of());
    }

    private static CompiledMonitor monitor(int index, String namespace, List<String> namespaces,
            CompiledSelector pods, CompiledSelector nodes, ProbeName probe) {
        return monitor(index, namespace, namespaces, pods, nodes, List.of(CompiledProbe.of(probe)));
    }

    private static CompiledMonitor monitor(int index, String namespace, List<String> namespaces,
            CompiledSelector pods, CompiledSelector nodes, List<CompiledProbe> probes) {
        return new CompiledMonitor(namespace, "m" + index, "uid-" + index, index, "standard", 15_000,
                probes, namespaces, pods, nodes, null);
    }
}
