package dev.sonde.operator.monitor;

import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeSpec;
import dev.sonde.operator.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PeersComplete condition of a monitor whose profile has flows: whether the last window counted every connection
 * and datagram per peer, or some pod was at its flow budget. Independent of Ready; absent without flows.
 */
public final class PeersComplete {

    public static final String TYPE = "PeersComplete";

    private enum Mode { ABSENT, KEEP, JUDGED }

    private final Mode mode;
    private final boolean complete;
    private final String reason;
    private final String message;

    private PeersComplete(Mode mode, boolean complete, String reason, String message) {
        this.mode = mode;
        this.complete = complete;
        this.reason = reason;
        this.message = message;
    }

    /** No condition: the profile has no flows, or the monitor can't run. */
    static PeersComplete absent() {
        return new PeersComplete(Mode.ABSENT, false, null, null);
    }

    /** The last judgment stays (a paused monitor keeps its last window), if the profile still has flows. */
    static PeersComplete kept(ProbeProfile profile) {
        return flows(profile).isPresent() ? new PeersComplete(Mode.KEEP, false, null, null) : absent();
    }

    /** Judged on the last merged window (null: no fresh report). */
    static PeersComplete judge(ProbeProfile profile, MergedWindow window) {
        Optional<ProbeSpec> flows = flows(profile);
        if (flows.isEmpty()) {
            return absent();
        }
        int budget = CompiledFlows.from(flows.get().getFlows()).maxPeersPerPod();
        long refused = window == null || window.refusedFlows() == null ? 0 : window.refusedFlows();
        if (refused > 0) {
            return new PeersComplete(Mode.JUDGED, false, Reasons.PEER_BUDGET_EXCEEDED, refused
                    + " connections and datagrams of the last window were not counted per peer: pods were at the "
                    + "flow budget of ProbeProfile " + profile.getMetadata().getName() + " (maxPeersPerPod " + budget
                    + "); status.peers and the per-peer metrics miss them, the pods' totals count them");
        }
        return new PeersComplete(Mode.JUDGED, true, Reasons.WITHIN_BUDGET, window == null
                ? "no agent reported a window for this monitor, so none refused a flow (maxPeersPerPod " + budget + ")"
                : "every connection and datagram of the last window was counted per peer (maxPeersPerPod " + budget
                        + ")");
    }

    /**
     * The conditions with PeersComplete set, kept or removed; it goes after the others (Ready stays first).
     *
     * @param conditions the new conditions, with the previous PeersComplete still in them
     */
    List<Condition> apply(List<Condition> conditions, Long generation, Instant now) {
        return switch (mode) {
            case ABSENT -> Conditions.without(conditions, TYPE);
            case KEEP -> {
                List<Condition> result = new ArrayList<>(Conditions.without(conditions, TYPE));
                Conditions.find(conditions, TYPE).ifPresent(result::add);
                yield result;
            }
            case JUDGED -> Conditions.with(conditions, TYPE, complete, reason, message, generation, now);
        };
    }

    private static Optional<ProbeSpec> flows(ProbeProfile profile) {
        return profile == null || profile.getSpec() == null || profile.getSpec().getProbes() == null ? Optional.empty()
                : profile.getSpec().getProbes().stream().filter(p -> p.getName() == ProbeName.FLOWS).findFirst();
    }
}
