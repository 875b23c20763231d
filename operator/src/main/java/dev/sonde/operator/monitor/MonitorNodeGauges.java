package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NodesStatus;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Function;

/**
 * The operator's {@code sonde_monitor_nodes{state}} gauges: {@code status.nodes.desired|ready|failed} summed over all
 * NetworkMonitors (a node counts once per monitor that selects pods on it), read from the cache. {@code failed} above
 * 0 means an agent stopped reporting or a probe failed there: the alert SondeMonitorNodesFailed.
 */
final class MonitorNodeGauges {

    private static final Map<String, Function<NodesStatus, Integer>> STATES = Map.of(
            "desired", NodesStatus::getDesired, "ready", NodesStatus::getReady, "failed", NodesStatus::getFailed);

    private MonitorNodeGauges() {
    }

    static void register(IndexerResourceCache<NetworkMonitor> monitors, MeterRegistry registry) {
        STATES.forEach((state, field) -> Gauge.builder("sonde.monitor.nodes", monitors,
                        cache -> cache.list().mapToInt(m -> count(m, field)).sum())
                .description("Nodes of NetworkMonitors' status.nodes by state, summed over the monitors")
                .tag("state", state)
                .register(registry));
    }

    private static int count(NetworkMonitor monitor, Function<NodesStatus, Integer> field) {
        if (monitor.getStatus() == null || monitor.getStatus().getNodes() == null) {
            return 0;
        }
        Integer value = field.apply(monitor.getStatus().getNodes());
        return value == null ? 0 : value;
    }
}
