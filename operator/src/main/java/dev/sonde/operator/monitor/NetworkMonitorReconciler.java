package dev.sonde.operator.monitor;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.Caches;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.EventRecorder;
import dev.sonde.operator.OperatorConfig;
import dev.sonde.operator.ReconcileMetrics;
import dev.sonde.operator.SondeCsvMetadata;
import dev.sonde.operator.SondeNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.Gauge;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Resolves each NetworkMonitor against its profile, the tenancy rule, the compiled agent config, the pods it
 * selects and the agents' reports, and writes its status. It never writes the monitor's spec, and needs no
 * finalizer: the compiled config is rebuilt by {@code AgentFleetReconciler} from the monitors that exist.
 */
@CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE)
@ControllerConfiguration(name = NetworkMonitorReconciler.NAME)
public class NetworkMonitorReconciler implements Reconciler<NetworkMonitor> {

    public static final String NAME = "networkmonitor";
    private static final Logger LOG = Logger.getLogger(NetworkMonitorReconciler.class);

    private final OperatorConfig config;
    private final ReconcileMetrics metrics;
    private final EventRecorder events;
    private final Map<String, String> lastEvent = new ConcurrentHashMap<>();
    /** The last judgment of each monitor's headers Secret, so AgentReports (one per node) don't each cost a get. */
    private final Map<String, HeadersJudgment> headersJudged = new ConcurrentHashMap<>();
    private volatile IndexerResourceCache<NetworkMonitor> monitorCache;

    public NetworkMonitorReconciler(OperatorConfig config, ReconcileMetrics metrics, EventRecorder events) {
        this.config = config;
        this.metrics = metrics;
        this.events = events;
    }

    @Override
    public List<EventSource<?, NetworkMonitor>> prepareEventSources(EventSourceContext<NetworkMonitor> context) {
        IndexerResourceCache<NetworkMonitor> monitors = context.getPrimaryCache();
        monitorCache = monitors;
        registerHealthGauges(monitors);
        String operatorNamespace = config.namespace();

        var profiles = InformerEventSourceConfiguration.from(ProbeProfile.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(profile -> ids(monitors,
                        m -> profile.getMetadata().getName().equals(m.getSpec().getProfile())))
                .build();
        var reports = InformerEventSourceConfiguration.from(AgentReport.class, NetworkMonitor.class)
                .withNamespaces(operatorNamespace)
                .withSecondaryToPrimaryMapper(report -> report.getSpec() == null ? Set.of()
                        : report.getSpec().getMonitors().stream()
                                .filter(w -> w.getName() != null && w.getNamespace() != null)
                                .map(w -> new ResourceID(w.getName(), w.getNamespace()))
                                .collect(Collectors.toSet()))
                .build();
        var namespaces = InformerEventSourceConfiguration.from(Namespace.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(ns -> ids(monitors, m -> m.getSpec().getNamespaceSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels())
                        || !Objects.equals(n.getMetadata().getDeletionTimestamp(), o.getMetadata().getDeletionTimestamp()))
                .build();
        var pods = InformerEventSourceConfiguration.from(Pod.class, NetworkMonitor.class)
                .withSecondaryToPrimaryMapper(pod -> ids(monitors,
                        m -> m.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                                || m.getSpec().getNamespaceSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(phase(n), phase(o))
                        || !Objects.equals(n.getSpec().getNodeName(), o.getSpec().getNodeName())
                        || !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels()))
                .build();
        var nodes = InformerEventSourceConfiguration.from(Node.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(node -> ids(monitors, m -> m.getSpec().getNodeSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels()))
                .build();
        var agentConfig = InformerEventSourceConfiguration.from(ConfigMap.class, NetworkMonitor.class)
                .withNamespaces(operatorNamespace)
                .withLabelSelector(SondeNames.NAME_LABEL + "=" + SondeNames.AGENT_SELECTOR.get(SondeNames.NAME_LABEL))
                .withSecondaryToPrimaryMapper(cm -> ids(monitors, m -> true))
                .build();
        return List.of(
                new InformerEventSource<>(profiles, context),
                new InformerEventSource<>(reports, context),
                new InformerEventSource<>(namespaces, context),
                new InformerEventSource<>(pods, context),
                new InformerEventSource<>(nodes, context),
                new InformerEventSource<>(agentConfig, context));
    }

    @Override
    public UpdateControl<NetworkMonitor> reconcile(NetworkMonitor monitor, Context<NetworkMonitor> context) {
        return metrics.record(NAME, () -> doReconcile(monitor, context));
    }

    private UpdateControl<NetworkMonitor> doReconcile(NetworkMonitor monitor, Context<NetworkMonitor> context) {
        Instant now = Instant.now();
        ProbeProfile profile = Caches.get(context, ProbeProfile.class, monitor.getSpec().getProfile(), null)
                .orElse(null);
        List<Namespace> namespaces = Caches.all(context, Namespace.class).toList();
        MonitorResolution resolution = MonitorResolution.resolve(monitor, profile, config.trusted(), namespaces);

        int matchedPods = 0;
        Set<String> desiredNodes = new TreeSet<>();
        if (resolution instanceof MonitorResolution.Accepted accepted) {
            List<Pod> selected = selectedPods(monitor, accepted.namespaces(), context);
            matchedPods = selected.size();
            selected.forEach(p -> desiredNodes.add(p.getSpec().getNodeName()));
        }
        List<AgentReport> reports = Caches.all(context, AgentReport.class).toList();
        // Read only for a monitor that can run: a rejected one is not compiled, so its headers are never copied.
        HeadersSecret.Problem headers = resolution instanceof MonitorResolution.Accepted
                && !Boolean.TRUE.equals(monitor.getSpec().getPaused())
                ? headersProblem(monitor, context, now)
                : null;
        var result = MonitorStatusBuilder.build(new MonitorStatusBuilder.Inputs(monitor, resolution,
                agentConfig(context), matchedPods, desiredNodes, reports, now, headers));

        NetworkMonitorStatus status = result.status();
        if (MonitorStatusBuilder.readyChanged(monitor.getStatus(), status)
                && firstTimeSeen(monitor, "ready", readyState(status))) {
            recordEvent(monitor, status);
        }
        HealthState before = monitor.getStatus() == null ? null : monitor.getStatus().getHealth();
        if (before != null && before != status.getHealth()
                && firstTimeSeen(monitor, "health", String.valueOf(status.getHealth()))) {
            recordHealthEvent(monitor, before, status);
        }
        UpdateControl<NetworkMonitor> control;
        if (Objects.equals(status, monitor.getStatus())) {
            control = UpdateControl.noUpdate();
        } else {
            NetworkMonitor patch = new NetworkMonitor();
            patch.getMetadata().setName(monitor.getMetadata().getName());
            patch.getMetadata().setNamespace(monitor.getMetadata().getNamespace());
            patch.setStatus(status);
            control = UpdateControl.patchStatus(patch);
        }
        Optional<Duration> recheck = result.recheckAfter();
        boolean readsHeaders = resolution instanceof MonitorResolution.Accepted
                && HeadersSecret.referenced(monitor).isPresent();
        if (readsHeaders) {
            // No watch on Secrets: a fixed, deleted or changed headers Secret is noticed by reading it again.
            Duration resync = config.headersResync();
            recheck = Optional.of(recheck.filter(r -> r.compareTo(resync) < 0).orElse(resync));
        }
        recheck.ifPresent(control::rescheduleAfter);
        return control;
    }

    private record HeadersJudgment(long generation, Instant at, HeadersSecret.Problem problem) {
    }

    /**
     * What is wrong with the monitor's headers Secret, or null: read again when the spec changed or the last read
     * is {@code sonde.operator.headers-resync} old, which the recheck below guarantees.
     */
    private HeadersSecret.Problem headersProblem(NetworkMonitor monitor, Context<NetworkMonitor> context,
            Instant now) {
        String uid = monitor.getMetadata().getUid();
        long generation = Optional.ofNullable(monitor.getMetadata().getGeneration()).orElse(0L);
        HeadersJudgment last = headersJudged.get(uid);
        if (last != null && last.generation() == generation
                && Duration.between(last.at(), now).compareTo(config.headersResync()) < 0) {
            return last.problem();
        }
        HeadersSecret.Problem problem = HeadersSecret.read(context.getClient(), monitor)
                .filter(HeadersSecret.Problem.class::isInstance).map(HeadersSecret.Problem.class::cast)
                .orElse(null);
        if (headersJudged.size() > 4 * monitorCache.list(m -> true).count() + 16) {
            Set<String> live = monitorCache.list(m -> true).map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
            headersJudged.keySet().retainAll(live);
        }
        headersJudged.put(uid, new HeadersJudgment(generation, now, problem));
        return problem;
    }

    /** Running pods the monitor selects: in its namespaces, matching podSelector, on nodes matching nodeSelector. */
    private List<Pod> selectedPods(NetworkMonitor monitor, List<String> namespaces, Context<NetworkMonitor> context) {
        CompiledSelector podSelector = CompiledSelector.from(monitor.getSpec().getPodSelector());
        CompiledSelector nodeSelector = monitor.getSpec().getNodeSelector() == null ? null
                : CompiledSelector.from(monitor.getSpec().getNodeSelector());
        Set<String> inScope = Set.copyOf(namespaces);
        return Caches.all(context, Pod.class)
                .filter(p -> inScope.contains(p.getMetadata().getNamespace()))
                .filter(p -> "Running".equals(phase(p)) && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getSpec().getNodeName() != null)
                .filter(p -> podSelector.matches(p.getMetadata().getLabels()))
                .filter(p -> nodeSelector == null || Caches.get(context, Node.class, p.getSpec().getNodeName(), null)
                        .map(n -> nodeSelector.matches(n.getMetadata().getLabels())).orElse(false))
                .toList();
    }

    private AgentConfig agentConfig(Context<NetworkMonitor> context) {
        Optional<ConfigMap> configMap = Caches.get(context, ConfigMap.class, SondeNames.AGENT_CONFIG_MAP,
                config.namespace());
        String json = configMap.map(ConfigMap::getData).map(d -> d.get(AgentConfig.CONFIG_MAP_KEY)).orElse(null);
        if (json == null) {
            return null;
        }
        try {
            return AgentConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            LOG.warnf("the agent config in %s/%s is unreadable: %s", config.namespace(), SondeNames.AGENT_CONFIG_MAP,
                    e.getMessage());
            return null;
        }
    }

    /**
     * Whether this state is new for the monitor: the informer cache may still hold the previous status for a
     * moment after a patch, and one transition should give one Event.
     */
    private boolean firstTimeSeen(NetworkMonitor monitor, String kind, String state) {
        if (lastEvent.size() > 4 * monitorCache.list(m -> true).count() + 16) {
            // forget deleted monitors
            Set<String> live = monitorCache.list(m -> true).map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
            lastEvent.keySet().removeIf(key -> !live.contains(key.substring(0, key.lastIndexOf('/'))));
        }
        return !state.equals(lastEvent.put(monitor.getMetadata().getUid() + "/" + kind, state));
    }

    private static String readyState(NetworkMonitorStatus status) {
        return Conditions.find(status.getConditions(), Conditions.READY)
                .map(c -> c.getStatus() + "/" + c.getReason()).orElse("");
    }

    private void recordHealthEvent(NetworkMonitor monitor, HealthState before, NetworkMonitorStatus status) {
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

    private static String healthName(HealthState health) {
        return switch (health) {
            case HEALTHY -> "Healthy";
            case DEGRADED -> "Degraded";
            case CRITICAL -> "Critical";
            case UNKNOWN -> "Unknown";
        };
    }

    private void recordEvent(NetworkMonitor monitor, NetworkMonitorStatus status) {
        Conditions.find(status.getConditions(), Conditions.READY).ifPresent(ready -> {
            if (Conditions.TRUE.equals(ready.getStatus())) {
                events.normal(monitor, ready.getReason(), ready.getMessage());
            } else {
                events.warning(monitor, ready.getReason(), ready.getMessage());
            }
        });
    }

    private void registerHealthGauges(IndexerResourceCache<NetworkMonitor> monitors) {
        for (HealthState health : HealthState.values()) {
            String tag = healthName(health);
            Gauge.builder("sonde.monitors", monitors, cache -> cache.list(m -> healthOf(m) == health).count())
                    .description("NetworkMonitors by health")
                    .tag("health", tag)
                    .register(metrics.registry());
        }
    }

    private static HealthState healthOf(NetworkMonitor monitor) {
        return monitor.getStatus() == null || monitor.getStatus().getHealth() == null ? HealthState.UNKNOWN
                : monitor.getStatus().getHealth();
    }

    private static Set<ResourceID> ids(IndexerResourceCache<NetworkMonitor> monitors,
            Predicate<NetworkMonitor> predicate) {
        return monitors.list(m -> m.getSpec() != null && predicate.test(m))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}
