package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The operator's {@code sonde_monitors{health}} gauges: how many monitors have each health, read from the cache. */
final class MonitorHealthGauges {

    private MonitorHealthGauges() {
    }

    static void register(IndexerResourceCache<NetworkMonitor> monitors, MeterRegistry registry) {
        for (HealthState health : HealthState.values()) {
            Gauge.builder("sonde.monitors", monitors, cache -> cache.list(m -> healthOf(m) == health).count())
                    .description("NetworkMonitors by health")
                    .tag("health", MonitorEvents.healthName(health))
                    .register(registry);
        }
    }

    private static HealthState healthOf(NetworkMonitor monitor) {
        return monitor.getStatus() == null || monitor.getStatus().getHealth() == null ? HealthState.UNKNOWN
                : monitor.getStatus().getHealth();
    }
}
