package dev.sonde.operator.monitor;

import java.util.Set;

/** The reasons of a NetworkMonitor's conditions (Ready, PeersComplete); documented in docs/crd-reference.md. */
public final class Reasons {

    /** Ready=True: at least one node running selected pods has a fresh report, and no node's probe failed everywhere. */
    public static final String MONITORING = "Monitoring";
    /** Ready=True: the monitor is valid and compiled, but selects no running pod, so there is nothing to report. */
    public static final String NO_PODS_SELECTED = "NoPodsSelected";
    /** Ready=True: spec.paused; the agents dropped the monitor; status keeps the last summary. */
    public static final String PAUSED = "Paused";

    /** Ready=False: spec.profile names no ProbeProfile. Recovers by itself when the profile is created. */
    public static final String PROFILE_NOT_FOUND = "ProfileNotFound";
    /** Ready=False: the ProbeProfile exists but is invalid (see its Ready condition). */
    public static final String PROFILE_INVALID = "ProfileInvalid";
    /** Ready=False: namespaceSelector in a namespace the operator does not trust. */
    public static final String NAMESPACE_SELECTOR_FORBIDDEN = "NamespaceSelectorForbidden";
    /** Ready=False: spec.export.otlp.headersSecretRef names no Secret in the monitor's namespace. */
    public static final String HEADERS_SECRET_NOT_FOUND = "HeadersSecretNotFound";
    /** Ready=False: the headers Secret has a key that is no valid header name, or a value a header can't carry. */
    public static final String INVALID_HEADERS_SECRET = "InvalidHeadersSecret";
    /** Ready=False: RBAC does not let the operator get the headers Secret in the monitor's namespace. */
    public static final String HEADERS_SECRET_FORBIDDEN = "HeadersSecretForbidden";
    /** Ready=False: the monitor is valid but not yet in the compiled agent config (normally for a moment). */
    public static final String CONFIG_PENDING = "ConfigPending";
    /**
     * Ready=False: an agent reports the monitor's config entry Failed (e.g. a probe or export setting that agent
     * version can't run); it keeps the entry's last valid version running. The message names nodes and reasons.
     */
    public static final String AGENT_REJECTED_CONFIG = "AgentRejectedConfig";
    /** Ready=False: pods are selected, but no agent on their nodes reported within three intervals. */
    public static final String AGENTS_NOT_REPORTING = "AgentsNotReporting";

    /** PeersComplete=True: the profile has flows and no selected pod was at its flow budget in the last window. */
    public static final String WITHIN_BUDGET = "WithinBudget";
    /**
     * PeersComplete=False: in the last window some connections or datagrams were not counted per peer because a pod
     * was at its flow budget (maxPeersPerPod); status.peers and the per-peer metrics miss them. Does not affect Ready.
     */
    public static final String PEER_BUDGET_EXCEEDED = "PeerBudgetExceeded";

    /**
     * The Ready reasons a monitor gets only once it is in the compiled agent config (MonitorStatusBuilder judges
     * them after {@link #CONFIG_PENDING}).
     */
    static final Set<String> COMPILED = Set.of(MONITORING, NO_PODS_SELECTED, AGENTS_NOT_REPORTING,
            AGENT_REJECTED_CONFIG);

    private Reasons() {
    }
}
