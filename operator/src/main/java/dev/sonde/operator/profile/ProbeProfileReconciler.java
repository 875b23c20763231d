package dev.sonde.operator.profile;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeProfileStatus;
import dev.sonde.operator.CachedFields;
import dev.sonde.operator.Caches;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.EventRecorder;
import dev.sonde.operator.ReconcileMetrics;
import dev.sonde.operator.SondeCsvMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Validates ProbeProfiles and writes their status: Ready, overhead class, probe summary, monitor count. */
@CSVMetadata(bundleName = SondeCsvMetadata.BUNDLE)
@ControllerConfiguration(name = ProbeProfileReconciler.NAME)
public class ProbeProfileReconciler implements Reconciler<ProbeProfile> {

    public static final String NAME = "probeprofile";

    private final ReconcileMetrics metrics;
    private final EventRecorder events;

    public ProbeProfileReconciler(ReconcileMetrics metrics, EventRecorder events) {
        this.metrics = metrics;
        this.events = events;
    }

    @Override
    public List<EventSource<?, ProbeProfile>> prepareEventSources(EventSourceContext<ProbeProfile> context) {
        // Profiles are few (admin-curated, like StorageClasses), so a monitor's create, delete or spec change
        // re-counts all of them: a monitor that moves from one profile to another changes both counts.
        var monitors = InformerEventSourceConfiguration.from(NetworkMonitor.class, ProbeProfile.class)
                .withSecondaryToPrimaryMapper(monitor -> context.getPrimaryCache().keys()
                        .collect(Collectors.toSet()))
                .withOnUpdateFilter((newMonitor, oldMonitor) -> !Objects.equals(newMonitor.getSpec(), oldMonitor.getSpec()))
                .withWatchAllNamespaces()
                .withItemStore(CachedFields.specOnly())
                .withInformerListLimit(CachedFields.LIST_PAGE)
                .build();
        return List.of(new InformerEventSource<>(monitors, context));
    }

    @Override
    public UpdateControl<ProbeProfile> reconcile(ProbeProfile profile, Context<ProbeProfile> context) {
        return metrics.record(NAME, () -> doReconcile(profile, context));
    }

    private UpdateControl<ProbeProfile> doReconcile(ProbeProfile profile, Context<ProbeProfile> context) {
        String name = profile.getMetadata().getName();
        int monitors = (int) Caches.all(context, NetworkMonitor.class)
                .filter(m -> m.getSpec() != null && name.equals(m.getSpec().getProfile()))
                .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
                .count();
        ProbeProfileStatus previous = profile.getStatus() == null ? new ProbeProfileStatus() : profile.getStatus();
        ProbeProfileStatus status = desiredStatus(profile, monitors, previous, Instant.now());
        if (Objects.equals(status, previous)) {
            return UpdateControl.noUpdate();
        }
        recordReadyChange(profile, previous, status);
        ProbeProfile patch = new ProbeProfile();
        patch.getMetadata().setName(name);
        patch.setStatus(status);
        return UpdateControl.patchStatus(patch);
    }

    private void recordReadyChange(ProbeProfile profile, ProbeProfileStatus previous, ProbeProfileStatus status) {
        var before = Conditions.find(previous.getConditions(), Conditions.READY);
        var after = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow();
        if (before.isPresent() && Objects.equals(before.get().getReason(), after.getReason())) {
            return;
        }
        events.ready(profile, after);
    }

    /** The status a profile should have; pure, for tests. */
    static ProbeProfileStatus desiredStatus(ProbeProfile profile, int monitors, ProbeProfileStatus previous,
            Instant now) {
        List<String> problems = ProfileValidator.problems(profile.getSpec());
        ProbeProfileStatus status = new ProbeProfileStatus();
        long generation = profile.getMetadata().getGeneration() == null ? 0 : profile.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        status.setMonitors(monitors);
        if (profile.getSpec() != null) {
            status.setProbeSummary(ProbeProfileStatus.probeSummaryOf(profile.getSpec().getProbes()));
            status.setOverheadClass(OverheadClassifier.classify(profile.getSpec()));
        }
        boolean valid = problems.isEmpty();
        status.setConditions(Conditions.with(previous.getConditions(), Conditions.READY, valid,
                valid ? "Valid" : "Invalid",
                valid ? "the profile is valid" : String.join("; ", problems), generation, now));
        return status;
    }
}
