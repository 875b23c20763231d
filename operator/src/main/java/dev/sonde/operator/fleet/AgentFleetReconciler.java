package dev.sonde.operator.fleet;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.CachedFields;
import dev.sonde.operator.OperatorConfig;
import dev.sonde.operator.ReconcileMetrics;
import dev.sonde.operator.SondeCsvMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Owns the cluster-wide agent objects: the compiled agent config, the agent DaemonSet and the agents' copy of the
 * OTLP headers, all in the operator's namespace. They aggregate every monitor in every namespace, so they can't be children of one monitor (owner
 * references can't cross namespaces); the primary is the operator's own Namespace, and every monitor, profile or
 * namespace change maps to it. Deleting a monitor thus rewrites the config without a finalizer.
 *
 * <p>The two objects are standalone dependents, made here with the operator config (namespace, agent image and
 * settings) rather than by the framework from a workflow annotation, so they need no static config lookup; each
 * reconcile writes the ConfigMap first, then the DaemonSet, then the headers copy.
 */
@CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE)
@ControllerConfiguration(name = AgentFleetReconciler.NAME,
        informer = @Informer(genericFilter = OperatorNamespaceFilter.class, informerListLimit = CachedFields.LIST_PAGE))
public class AgentFleetReconciler implements Reconciler<Namespace> {

    public static final String NAME = "agentfleet";

    private final OperatorConfig config;
    private final ReconcileMetrics metrics;
    private final AgentConfigMapDependent configMap;
    private final AgentDaemonSetDependent daemonSet;

    public AgentFleetReconciler(OperatorConfig config, ReconcileMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.configMap = new AgentConfigMapDependent(config);
        this.daemonSet = new AgentDaemonSetDependent(config);
    }

    @Override
    public List<EventSource<?, Namespace>> prepareEventSources(EventSourceContext<Namespace> context) {
        Set<ResourceID> fleet = Set.of(new ResourceID(config.namespace()));
        var monitors = InformerEventSourceConfiguration.from(NetworkMonitor.class, Namespace.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.specOnly())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(m -> fleet)
                // status writes don't change what is compiled
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getSpec(), o.getSpec()))
                .build();
        var profiles = InformerEventSourceConfiguration.from(ProbeProfile.class, Namespace.class)
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.specOnly())
                .withSecondaryToPrimaryMapper(p -> fleet)
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getSpec(), o.getSpec()))
                .build();
        var namespaces = InformerEventSourceConfiguration.from(Namespace.class, Namespace.class)
                .withName("all-namespaces")
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.withoutManagedFields())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .withSecondaryToPrimaryMapper(ns -> fleet)
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels())
                        || !Objects.equals(n.getMetadata().getDeletionTimestamp(), o.getMetadata().getDeletionTimestamp()))
                .build();
        List<EventSource<?, Namespace>> sources = new ArrayList<>(
                EventSourceUtils.dependentEventSources(context, configMap, daemonSet));
        sources.add(new InformerEventSource<>(monitors, context));
        sources.add(new InformerEventSource<>(profiles, context));
        sources.add(new InformerEventSource<>(namespaces, context));
        return sources;
    }

    /**
     * Writes the ConfigMap, the DaemonSet, then the agents' copy of the OTLP headers. There is no watch on tenants'
     * Secrets, so while any monitor references one, look again every {@code sonde.operator.headers-resync}. The
     * Namespace itself has nothing to write.
     */
    @Override
    public UpdateControl<Namespace> reconcile(Namespace namespace, Context<Namespace> context) {
        return metrics.record(NAME, () -> {
            configMap.reconcile(namespace, context);
            daemonSet.reconcile(namespace, context);
            List<NetworkMonitor> compiled = AgentConfigMapDependent.candidates(context, config).stream()
                    .map(AgentConfigCompiler.Candidate::monitor).toList();
            boolean referenced = OtlpHeadersCopy.sync(context.getClient(), namespace, compiled);
            UpdateControl<Namespace> control = UpdateControl.noUpdate();
            return referenced ? control.rescheduleAfter(config.headersResync()) : control;
        });
    }
}
