package dev.sonde.operator;

import java.util.Map;

/** Names and labels of the objects the operator creates; fixed, because RBAC, docs and the agent use them. */
public final class SondeNames {

    public static final String AGENT_CONFIG_MAP = "sonde-agent-config";
    /** The operator's copy of every monitor's OTLP headers, the only Secret the agents read. */
    public static final String OTLP_HEADERS_SECRET = dev.sonde.api.agent.OtlpHeaders.SECRET_NAME;
    public static final String AGENT_DAEMON_SET = "sonde-agent";
    public static final String AGENT_SERVICE_ACCOUNT = "sonde-agent";
    public static final String OPERATOR_SERVICE_ACCOUNT = "sonde-operator";
    public static final String LEADER_LEASE = "sonde-operator-leader";

    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

    /** Labels of the agent DaemonSet, its pods and the agent ConfigMap. */
    public static final Map<String, String> AGENT_LABELS = Map.of(
            NAME_LABEL, "sonde-agent",
            PART_OF_LABEL, "sonde",
            MANAGED_BY_LABEL, "sonde-operator");

    /** Selector of the agent pods: only the immutable part of the labels. */
    public static final Map<String, String> AGENT_SELECTOR = Map.of(NAME_LABEL, "sonde-agent", PART_OF_LABEL, "sonde");

    private SondeNames() {
    }
}
