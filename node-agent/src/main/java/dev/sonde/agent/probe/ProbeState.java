package dev.sonde.agent.probe;

/**
 * Where a probe stands on this node. {@code Unsupported}: the kernel lacks something (reason
 * says what); {@code Failed}: loading or attaching went wrong (e.g. verifier log tail).
 */
public record ProbeState(Kind kind, String message) {
    public enum Kind { LOADED, ATTACHED, UNSUPPORTED, FAILED }

    public static ProbeState loaded() {
        return new ProbeState(Kind.LOADED, "");
    }

    public static ProbeState attached() {
        return new ProbeState(Kind.ATTACHED, "");
    }

    public static ProbeState unsupported(String reason) {
        return new ProbeState(Kind.UNSUPPORTED, reason);
    }

    public static ProbeState failed(String reason) {
        return new ProbeState(Kind.FAILED, reason);
    }

    public boolean usable() {
        return kind == Kind.LOADED || kind == Kind.ATTACHED;
    }
}
