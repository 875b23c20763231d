package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;

/**
 * Where a probe stands on this node, in the AgentReport's own terms ({@link NodeProbeState}): {@code Detached}
 * (loaded, or loadable, with no selected pod needing it), {@code Attached}, {@code Unsupported} (the kernel or
 * the agent's privileges lack something) or {@code Failed} (loading or attaching went wrong, e.g. the verifier
 * log's tail).
 *
 * @param reason CamelCase, for the AgentReport: {@code BtfMissing}, {@code TracepointMissing},
 *     {@code CapabilityMissing}, {@code CgroupV2Missing}, {@code VerifierRejected}, {@code AttachFailed}; empty
 *     while detached or attached
 * @param message details for a person
 */
public record ProbeAttachment(NodeProbeState state, String reason, String message) {
    public static final String BTF_MISSING = "BtfMissing";
    public static final String TRACEPOINT_MISSING = "TracepointMissing";
    public static final String CAPABILITY_MISSING = "CapabilityMissing";
    public static final String CGROUP_V2_MISSING = "CgroupV2Missing";
    public static final String VERIFIER_REJECTED = "VerifierRejected";
    public static final String ATTACH_FAILED = "AttachFailed";

    public static ProbeAttachment detached() {
        return new ProbeAttachment(NodeProbeState.DETACHED, "", "");
    }

    public static ProbeAttachment attached() {
        return new ProbeAttachment(NodeProbeState.ATTACHED, "", "");
    }

    public static ProbeAttachment unsupported(String reason, String message) {
        return new ProbeAttachment(NodeProbeState.UNSUPPORTED, reason, message);
    }

    public static ProbeAttachment failed(String reason, String message) {
        return new ProbeAttachment(NodeProbeState.FAILED, reason, message);
    }

    /** Loaded or loadable: the probe can be attached to a pod that needs it. */
    public boolean usable() {
        return state == NodeProbeState.DETACHED || state == NodeProbeState.ATTACHED;
    }
}
