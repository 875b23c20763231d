package dev.sonde.operator.monitor;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.CachedFields;
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
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
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
@ControllerConfiguration(name = NetworkMonitorReconciler.NAME,
        informer = @Informer(informerListLimit = CachedFields.LIST_PAGE))
public class NetworkMonitorReconciler implements Reconciler<NetworkMonitor> {

    public static final String NAME = "networkmonitor";
    private static final Logger LOG = Logger.getLogger(NetworkMonitorReconciler.class);

    private final OperatorConfig config;
    private final ReconcileMetrics metrics;
    private final MonitorEvents events;
    /** The last judgment of each monitor's headers Secret, so AgentReports (one per node) don't each cost a get. */
    private final Map<String, HeadersJudgment> headersJudged = new ConcurrentHashMap<>();
    private volatile IndexerResourceCache<NetworkMonitor> monitorCache;
    private volatile AgentConfigView agentConfigView;

    public NetworkMonitorReconciler(OperatorConfig config, ReconcileMetrics metrics, EventRecorder events) {
        this.config = config;
        this.metrics = metrics;
        this.events = new MonitorEvents(events, () -> monitorCache);
    }

    @Override
    public List<EventSource<?, NetworkMonitor>> prepareEventSources(EventSourceContext<NetworkMonitor> context) {
        monitorCache = context.getPrimaryCache();
        MonitorHealthGauges.register(monitorCache, metrics.registry());
        MonitorNodeGauges.register(monitorCache, metrics.registry());
        IndexerResourceCache<NetworkMonitor> monitors = monitorCache;
        agentConfigView = new AgentConfigView(() -> monitors.list(m -> true));
        List<EventSource<?, NetworkMonitor>> sources = MonitorEventSources.of(context, monitors, agentConfigView,
                config.namespace());
        sources.stream().filter(s -> s.resourceType() == AgentReport.class).findFirst()
                .ifPresent(reports -> ProbeStateGauges.register(agentReports(reports), metrics.registry()));
        return sources;
    }

    @SuppressWarnings("unchecked") // the event source of AgentReport.class is an informer over AgentReports
    private static Cache<AgentReport> agentReports(EventSource<?, NetworkMonitor> source) {
        return (Cache<AgentReport>) source;
    }

    @Override
    public UpdateControl<NetworkMonitor> reconcile(NetworkMonitor monitor, Context<NetworkMonitor> context) {
        return metrics.record(NAME, () -> doReconcile(monitor, context));
    }

    /**
     * An unexpected exception still ends as Ready=False with a reason a person can read (and an Event); JOSDK retries
     * with backoff, so a persistent failure is no hot loop.
     */
    @Override
    public ErrorStatusUpdateControl<NetworkMonitor> updateErrorStatus(NetworkMonitor monitor,
            Context<NetworkMonitor> context, Exception e) {
        LOG.errorf(e, "reconciling NetworkMonitor %s/%s failed", monitor.getMetadata().getNamespace(),
                monitor.getMetadata().getName());
        NetworkMonitorStatus status = MonitorStatusBuilder.reconcileError(monitor, e, Instant.now());
        events.record(monitor, status);
        return ErrorStatusUpdateControl.patchStatus(statusPatch(monitor, status));
    }

    private static NetworkMonitor statusPatch(NetworkMonitor monitor, NetworkMonitorStatus status) {
        NetworkMonitor patch = new NetworkMonitor();
        patch.getMetadata().setName(monitor.getMetadata().getName());
        patch.getMetadata().setNamespace(monitor.getMetadata().getNamespace());
        patch.setStatus(status);
        return patch;
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
        events.record(monitor, status);
        UpdateControl<NetworkMonitor> control = Objects.equals(status, monitor.getStatus())
                ? UpdateControl.noUpdate() : UpdateControl.patchStatus(statusPatch(monitor, status));
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
        return namespaces.stream().distinct()
                .flatMap(ns -> Caches.byIndex(context, Pod.class, MonitorEventSources.PODS_BY_NAMESPACE, ns))
                .filter(p -> "Running".equals(MonitorEventSources.phase(p)) && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getSpec().getNodeName() != null)
                .filter(p -> podSelector.matches(p.getMetadata().getLabels()))
                .filter(p -> nodeSelector == null || Caches.get(context, Node.class, p.getSpec().getNodeName(), null)
                        .map(n -> nodeSelector.matches(n.getMetadata().getLabels())).orElse(false))
                .toList();
    }

    /** The compiled agent config, parsed once per ConfigMap version ({@link AgentConfigView}). */
    private AgentConfig agentConfig(Context<NetworkMonitor> context) {
        return agentConfigView.config(Caches.get(context, ConfigMap.class, SondeNames.AGENT_CONFIG_MAP,
                config.namespace()));
    }
}
