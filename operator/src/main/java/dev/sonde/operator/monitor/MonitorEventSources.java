package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.CachedFields;
import dev.sonde.operator.SondeNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a NetworkMonitor's status depends on, as informers, and which monitors each change concerns: its profile,
 * the AgentReports that carry it, namespaces (for namespaceSelector), pods, nodes (for nodeSelector) and the
 * compiled agent config. Updates that can't change a status (e.g. a pod's status other than its phase) are
 * filtered out, and a new version of the compiled config concerns only the monitors it changes for
 * ({@link AgentConfigView}). The pod and node caches keep only the fields the reconciler reads, and the profile,
 * report and namespace caches drop managed fields ({@link CachedFields}); each of these informers watches one
 * namespace or all.
 */
final class MonitorEventSources {

    /** The pod informer's index by namespace: a reconcile reads its namespaces' pods, not every pod. */
    static final String PODS_BY_NAMESPACE = "sonde.dev/pods-by-namespace";

    private MonitorEventSources() {
    }

    static List<EventSource<?, NetworkMonitor>> of(EventSourceContext<NetworkMonitor> context,
            IndexerResourceCache<NetworkMonitor> monitors, AgentConfigView agentConfigView, String operatorNamespace) {
        var profiles = InformerEventSourceConfiguration.from(ProbeProfile.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.withoutManagedFields())
                .withSecondaryToPrimaryMapper(profile -> ids(monitors,
                        m -> profile.getMetadata().getName().equals(m.getSpec().getProfile())))
                .build();
        var reports = InformerEventSourceConfiguration.from(AgentReport.class, NetworkMonitor.class)
                .withNamespaces(operatorNamespace)
                .withItemStore(CachedFields.withoutManagedFields())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(report -> report.getSpec() == null ? Set.of()
                        : report.getSpec().getMonitors().stream()
                                .filter(w -> w.getName() != null && w.getNamespace() != null)
                                .map(w -> new ResourceID(w.getName(), w.getNamespace()))
                                .collect(Collectors.toSet()))
                .build();
        var namespaces = InformerEventSourceConfiguration.from(Namespace.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.withoutManagedFields())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(ns -> ids(monitors, m -> m.getSpec().getNamespaceSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels())
                        || !Objects.equals(n.getMetadata().getDeletionTimestamp(), o.getMetadata().getDeletionTimestamp()))
                .build();
        var pods = InformerEventSourceConfiguration.from(Pod.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.pods())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(pod -> ids(monitors,
                        m -> m.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                                || m.getSpec().getNamespaceSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(phase(n), phase(o))
                        || !Objects.equals(n.getSpec().getNodeName(), o.getSpec().getNodeName())
                        || !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels())
                        || !Objects.equals(n.getMetadata().getDeletionTimestamp(), o.getMetadata().getDeletionTimestamp()))
                .build();
        var nodes = InformerEventSourceConfiguration.from(Node.class, NetworkMonitor.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.nodes())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(node -> ids(monitors, m -> m.getSpec().getNodeSelector() != null))
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels()))
                .build();
        var agentConfig = InformerEventSourceConfiguration.from(ConfigMap.class, NetworkMonitor.class)
                .withNamespaces(operatorNamespace)
                .withLabelSelector(SondeNames.NAME_LABEL + "=" + SondeNames.AGENT_SELECTOR.get(SondeNames.NAME_LABEL))
                .withSecondaryToPrimaryMapper(agentConfigView::monitorsConcerned)
                .build();
        var podSource = new InformerEventSource<>(pods, context);
        podSource.addIndexers(Map.of(PODS_BY_NAMESPACE, pod -> List.of(pod.getMetadata().getNamespace())));
        return List.of(
                new InformerEventSource<>(profiles, context),
                new InformerEventSource<>(reports, context),
                new InformerEventSource<>(namespaces, context),
                podSource,
                new InformerEventSource<>(nodes, context),
                new InformerEventSource<>(agentConfig, context));
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static Set<ResourceID> ids(IndexerResourceCache<NetworkMonitor> monitors,
            Predicate<NetworkMonitor> predicate) {
        return monitors.list(m -> m.getSpec() != null && predicate.test(m))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }
}
