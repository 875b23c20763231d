package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.EventRecorder;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Records a monitor's Ready, health and PeersComplete transitions as Events, one Event per transition: the informer cache may still
 * hold the previous status for a moment after a patch, so each transition is remembered per monitor.
 */
final class MonitorEvents {

    private final EventRecorder events;
    private final Supplier<IndexerResourceCache<NetworkMonitor>> monitors;
    /** monitor uid + "/" + kind -> the state last recorded. */
    private final Map<String, String> lastEvent = new ConcurrentHashMap<>();

    MonitorEvents(EventRecorder events, Supplier<IndexerResourceCache<NetworkMonitor>> monitors) {
        this.events = events;
        this.monitors = monitors;
    }

    /** Records what changed from the monitor's current status to {@code status}. */
    void record(NetworkMonitor monitor, NetworkMonitorStatus status) {
        if (MonitorStatusBuilder.readyChanged(monitor.getStatus(), status)
                && firstTimeSeen(monitor, "ready", readyState(status))) {
            Conditions.find(status.getConditions(), Conditions.READY).ifPresent(ready -> events.ready(monitor, ready));
        }
        HealthState before = monitor.getStatus() == null ? null : monitor.getStatus().getHealth();
        if (before != null && before != status.getHealth()
                && firstTimeSeen(monitor, "health", String.valueOf(status.getHealth()))) {
            recordHealth(monitor, before, status);
        }
        recordPeersComplete(monitor, status);
    }

    /** A PeersComplete flip (or its first appearance as False): PeerBudgetExceeded is a Warning. */
    private void recordPeersComplete(NetworkMonitor monitor, NetworkMonitorStatus status) {
        var after = Conditions.find(status.getConditions(), PeersComplete.TYPE);
        if (after.isEmpty()) {
            return;
        }
        String was = Conditions.find(monitor.getStatus() == null ? null : monitor.getStatus().getConditions(),
                PeersComplete.TYPE).map(c -> c.getStatus()).orElse(null);
        String is = after.get().getStatus();
        boolean flipped = was == null ? Conditions.FALSE.equals(is) : !was.equals(is);
        if (flipped && firstTimeSeen(monitor, "peers", is)) {
            if (Conditions.FALSE.equals(is)) {
                events.warning(monitor, after.get().getReason(), after.get().getMessage());
            } else {
                events.normal(monitor, after.get().getReason(), after.get().getMessage());
            }
        }
    }

    private boolean firstTimeSeen(NetworkMonitor monitor, String kind, String state) {
        IndexerResourceCache<NetworkMonitor> cache = monitors.get();
        if (cache != null && lastEvent.size() > 4 * cache.list(m -> true).count() + 16) {
            // forget deleted monitors
            Set<String> live = cache.list(m -> true).map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
            lastEvent.keySet().removeIf(key -> !live.contains(key.substring(0, key.lastIndexOf('/'))));
        }
        return !state.equals(lastEvent.put(monitor.getMetadata().getUid() + "/" + kind, state));
    }

    private static String readyState(NetworkMonitorStatus status) {
        return Conditions.find(status.getConditions(), Conditions.READY)
                .map(c -> c.getStatus() + "/" + c.getReason()).orElse("");
    }

    private void recordHealth(NetworkMonitor monitor, HealthState before, NetworkMonitorStatus status) {
        String reason = "Health" + healthName(status.getHealth());
        String note = "health changed from " + healthName(before) + " to " + healthName(status.getHealth())
                + (status.getHealthReasons().isEmpty() ? ""
                        : ": " + status.getHealthReasons().stream().map(r -> r.getMessage())
                                .collect(Collectors.joining("; ")));
        if (status.getHealth() == HealthState.DEGRADED || status.getHealth() == HealthState.CRITICAL) {
            events.warning(monitor, reason, note);
        } else {
            events.normal(monitor, reason, note);
        }
    }

    static String healthName(HealthState health) {
        return switch (health) {
            case HEALTHY -> "Healthy";
            case DEGRADED -> "Degraded";
            case CRITICAL -> "Critical";
            case UNKNOWN -> "Unknown";
        };
    }
}
