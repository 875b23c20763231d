package dev.sonde.operator.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.HealthState;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorStatus;
import dev.sonde.api.v1alpha1.PodsStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeSpec;
import dev.sonde.operator.Conditions;
import dev.sonde.operator.profile.ProfileValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a NetworkMonitor's whole status from what the operator knows; pure, so every Ready reason is unit
 * tested. The reconciler only gathers the inputs and writes the result.
 */
public final class MonitorStatusBuilder {

    /** Copies a status: an error status keeps everything the last one said. */
    private static final ObjectMapper COPY = new ObjectMapper();

    private MonitorStatusBuilder() {
    }

    /**
     * What the operator observed for one monitor.
     *
     * @param headers what is wrong with the monitor's headersSecretRef, or null (none, or valid)
     */
    public record Inputs(NetworkMonitor monitor, MonitorResolution resolution, AgentConfig config, int matchedPods,
            Set<String> desiredNodes, Collection<AgentReport> reports, Instant now, HeadersSecret.Problem headers) {

        public Inputs(NetworkMonitor monitor, MonitorResolution resolution, AgentConfig config, int matchedPods,
                Set<String> desiredNodes, Collection<AgentReport> reports, Instant now) {
            this(monitor, resolution, config, matchedPods, desiredNodes, reports, now, null);
        }
    }

    /**
     * The status, and when to look again: the profile interval while agents report (so a report going stale is
     * noticed without a hot loop), or never.
     */
    public record Result(NetworkMonitorStatus status, Optional<Duration> recheckAfter) {

        public String readyReason() {
            return Conditions.find(status.getConditions(), Conditions.READY).map(c -> c.getReason()).orElse(null);
        }
    }

    public static Result build(Inputs in) {
        NetworkMonitor monitor = in.monitor();
        NetworkMonitorStatus previous = monitor.getStatus() == null ? new NetworkMonitorStatus() : monitor.getStatus();
        long generation = Optional.ofNullable(monitor.getMetadata().getGeneration()).orElse(0L);
        NetworkMonitorStatus status = new NetworkMonitorStatus();
        status.setObservedGeneration(generation);
        status.setHealth(HealthState.UNKNOWN);

        if (in.resolution() instanceof MonitorResolution.Rejected rejected) {
            return ready(status, previous, false, rejected.reason(), rejected.message(), generation, in, null,
                    PeersComplete.absent());
        }
        MonitorResolution.Accepted accepted = (MonitorResolution.Accepted) in.resolution();
        ProbeProfile profile = accepted.profile();
        if (Boolean.TRUE.equals(monitor.getSpec().getPaused())) {
            status.setSummary(previous.getSummary());
            status.setPeers(previous.getPeers());
            status.setLastReportTime(previous.getLastReportTime());
            return ready(status, previous, true, Reasons.PAUSED,
                    "measuring is paused; the summary is from the last window before the pause", generation, in, null,
                    PeersComplete.kept(profile));
        }

        Duration interval = ProfileValidator.interval(profile.getSpec());
        List<ProbeName> probes = profile.getSpec().getProbes().stream().map(ProbeSpec::getName).toList();
        ReportAggregator.MonitorKey key = new ReportAggregator.MonitorKey(monitor.getMetadata().getNamespace(),
                monitor.getMetadata().getName(), monitor.getMetadata().getUid());
        ReportAggregator.Aggregate aggregate = ReportAggregator.aggregate(key, probes, interval, in.desiredNodes(),
                in.reports(), in.now());
        HealthEvaluator.Health health = HealthEvaluator.evaluate(profile.getSpec().getHealth(), aggregate.window());

        status.setPods(new PodsStatus(in.matchedPods()));
        status.setNodes(aggregate.nodes());
        status.setProbes(aggregate.probes());
        status.setSummary(SummaryFormat.summary(aggregate.window()));
        status.setPeers(hasFlows(profile) && aggregate.window() != null
                ? PeerRanking.top(aggregate.window().peers()) : null);
        PeersComplete peers = PeersComplete.judge(profile, aggregate.window());
        status.setHealth(health.state());
        status.setHealthReasons(health.reasons());
        status.setLastReportTime(aggregate.lastReportTime() == null ? previous.getLastReportTime()
                : aggregate.lastReportTime().toString());

        // Look again every interval while any report is fresh or nodes are desired: staleness comes from time alone.
        Duration recheck = aggregate.lastReportTime() != null || !in.desiredNodes().isEmpty() ? interval : null;

        // The monitor measures (and Prometheus works), but its OTLP export can't authenticate: say why first.
        if (in.headers() != null) {
            return ready(status, previous, false, in.headers().reason(), in.headers().message(), generation, in,
                    recheck, peers);
        }
        Optional<CompiledMonitor> compiled = in.config() == null ? Optional.empty()
                : in.config().monitors().stream().filter(m -> m.uid().equals(monitor.getMetadata().getUid()))
                        .findFirst();
        if (compiled.isEmpty()) {
            return ready(status, previous, false, Reasons.CONFIG_PENDING,
                    "waiting for the monitor to be written to the agent config", generation, in, recheck, peers);
        }
        if (!aggregate.rejections().isEmpty()) {
            return ready(status, previous, false, Reasons.AGENT_REJECTED_CONFIG, "agents can't run this monitor's "
                    + "config entry and keep its last valid one, if any: " + String.join("; ",
                    aggregate.rejections()), generation, in, recheck, peers);
        }
        int desired = in.desiredNodes().size();
        int readyNodes = aggregate.nodes().getReady();
        if (desired == 0) {
            // Agents may still send empty windows for it; with nothing selected there is nothing to judge.
            status.setHealth(HealthState.UNKNOWN);
            status.setHealthReasons(List.of());
            return ready(status, previous, true, Reasons.NO_PODS_SELECTED,
                    "no running pod matches the selectors; nothing to measure", generation, in, recheck, peers);
        }
        if (readyNodes == 0) {
            return ready(status, previous, false, Reasons.AGENTS_NOT_REPORTING, "none of the " + desired
                    + " nodes running selected pods has an agent that reported in the last "
                    + ReportAggregator.STALE_INTERVALS + " intervals with its probes working", generation, in, recheck,
                    peers);
        }
        return ready(status, previous, true, Reasons.MONITORING,
                readyNodes + " of " + desired + " nodes report", generation, in, recheck, peers);
    }

    private static Result ready(NetworkMonitorStatus status, NetworkMonitorStatus previous, boolean ready,
            String reason, String message, long generation, Inputs in, Duration recheck, PeersComplete peers) {
        status.setConditions(peers.apply(Conditions.with(previous.getConditions(), Conditions.READY, ready, reason,
                message, generation, in.now()), generation, in.now()));
        return new Result(status, Optional.ofNullable(recheck));
    }

    private static boolean hasFlows(ProbeProfile profile) {
        return profile.getSpec().getProbes().stream().anyMatch(p -> p.getName() == ProbeName.FLOWS);
    }

    /** Whether the Ready condition's status or reason differs: worth an Event. */
    public static boolean readyChanged(NetworkMonitorStatus before, NetworkMonitorStatus after) {
        var a = Conditions.find(before == null ? null : before.getConditions(), Conditions.READY);
        var b = Conditions.find(after.getConditions(), Conditions.READY);
        return a.isEmpty() || !Objects.equals(a.get().getStatus(), b.get().getStatus())
                || !Objects.equals(a.get().getReason(), b.get().getReason());
    }

    /**
     * The status after a reconcile that threw: everything the last status said, and Ready=False with reason
     * {@code ReconcileError} and the exception's message (a person sees why; Argo CD sees Degraded).
     */
    public static NetworkMonitorStatus reconcileError(NetworkMonitor monitor, Exception e, Instant now) {
        NetworkMonitorStatus status = monitor.getStatus() == null ? new NetworkMonitorStatus()
                : COPY.convertValue(monitor.getStatus(), NetworkMonitorStatus.class);
        String message = "the operator failed to reconcile this monitor and retries with backoff: "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        status.setConditions(Conditions.with(status.getConditions(), Conditions.READY, false,
                Conditions.RECONCILE_ERROR, message.length() <= 1024 ? message : message.substring(0, 1021) + "...",
                monitor.getMetadata().getGeneration(), now));
        return status;
    }

}
