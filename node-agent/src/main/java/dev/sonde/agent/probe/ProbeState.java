package dev.sonde.agent.probe;

/**
 * Where a probe stands on this node. {@code Unsupported}: the kernel or the agent's privileges lack something;
 * {@code Failed}: loading or attaching went wrong (e.g. verifier log tail).
 *
 * @param reason CamelCase, for the AgentReport: {@code BtfMissing}, {@code TracepointMissing},
 *     {@code CapabilityMissing}, {@code CgroupV2Missing}, {@code VerifierRejected}, {@code AttachFailed}; empty
 *     while loaded or attached
 * @param message details for a person
 */
public record ProbeState(Kind kind, String reason, String message) {
    public enum Kind { LOADED, ATTACHED, UNSUPPORTED, FAILED }

    public static final String BTF_MISSING = "BtfMissing";
    public static final String TRACEPOINT_MISSING = "TracepointMissing";
    public static final String CAPABILITY_MISSING = "CapabilityMissing";
    public static final String CGROUP_V2_MISSING = "CgroupV2Missing";
    public static final String VERIFIER_REJECTED = "VerifierRejected";
    public static final String ATTACH_FAILED = "AttachFailed";

    public static ProbeState loaded() {
        return new ProbeState(Kind.LOADED, "", "");
    }

    public static ProbeState attached() {
        return new ProbeState(Kind.ATTACHED, "", "");
    }

    public static ProbeState unsupported(String reason, String message) {
        return new ProbeState(Kind.UNSUPPORTED, reason, message);
    }

    public static ProbeState failed(String reason, String message) {
        return new ProbeState(Kind.FAILED, reason, message);
    }

    public boolean usable() {
        return kind == Kind.LOADED || kind == Kind.ATTACHED;
    }
}
