package dev.sonde.operator.fleet;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
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
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Owns the cluster-wide agent objects: the compiled agent config, the agent DaemonSet and the agents' copy of the
 * OTLP headers, all in the operator's namespace. They aggregate every monitor in every namespace, so they can't be children of one monitor (owner
 * references can't cross namespaces); the primary is the operator's own Namespace, and every monitor, profile or
 * namespace change maps to it. Deleting a monitor thus rewrites the config without a finalizer.
 */
@CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE)
@ControllerConfiguration(name = AgentFleetReconciler.NAME,
        informer = @Informer(genericFilter = OperatorNamespaceFilter.class))
@Workflow(dependents = {
    @Dependent(name = "agent-config", type = AgentConfigMapDependent.class),
    @Dependent(name = "agent-daemonset", type = AgentDaemonSetDependent.class, dependsOn = "agent-config")
})
public class AgentFleetReconciler implements Reconciler<Namespace> {

    public static final String NAME = "agentfleet";

    private final OperatorConfig config;
    private final ReconcileMetrics metrics;

    public AgentFleetReconciler(OperatorConfig config, ReconcileMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, Namespace>> prepareEventSources(EventSourceContext<Namespace> context) {
        Set<ResourceID> fleet = Set.of(new ResourceID(config.namespace()));
        var monitors = InformerEventSourceConfiguration.from(NetworkMonitor.class, Namespace.class)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(m -> fleet)
                // status writes don't change what is compiled
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getSpec(), o.getSpec()))
                .build();
        var profiles = InformerEventSourceConfiguration.from(ProbeProfile.class, Namespace.class)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(p -> fleet)
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getSpec(), o.getSpec()))
                .build();
        var namespaces = InformerEventSourceConfiguration.from(Namespace.class, Namespace.class)
                .withName("all-namespaces")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(ns -> fleet)
                .withOnUpdateFilter((n, o) -> !Objects.equals(n.getMetadata().getLabels(), o.getMetadata().getLabels())
                        || !Objects.equals(n.getMetadata().getDeletionTimestamp(), o.getMetadata().getDeletionTimestamp()))
                .build();
        return List.of(
                new InformerEventSource<>(monitors, context),
                new InformerEventSource<>(profiles, context),
                new InformerEventSource<>(namespaces, context));
    }

    /**
     * The workflow has written the ConfigMap and the DaemonSet by now; what is left is the agents' copy of the OTLP
     * headers. There is no watch on tenants' Secrets, so while any monitor references one, look again every
     * {@code sonde.operator.headers-resync}. The Namespace itself has nothing to write.
     */
    @Override
    public UpdateControl<Namespace> reconcile(Namespace namespace, Context<Namespace> context) {
        return metrics.record(NAME, () -> {
            List<NetworkMonitor> compiled = AgentConfigMapDependent.candidates(context).stream()
                    .map(AgentConfigCompiler.Candidate::monitor).toList();
            boolean referenced = OtlpHeadersCopy.sync(context.getClient(), namespace, compiled);
            UpdateControl<Namespace> control = UpdateControl.noUpdate();
            return referenced ? control.rescheduleAfter(config.headersResync()) : control;
        });
    }
}
