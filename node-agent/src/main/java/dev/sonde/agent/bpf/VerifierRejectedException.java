package dev.sonde.agent.bpf;

import java.util.List;

/** The kernel verifier refused a program; {@link #logTail()} holds the last lines of its log. */
public final class VerifierRejectedException extends BpfException {
    private static final long serialVersionUID = 1L;
    private final String program;
    private final List<String> logTail;

    VerifierRejectedException(String program, int errno, List<String> logTail) {
        super("verifier rejected program '" + program + "' (" + Libbpf.strerror(errno) + "): "
                + String.join(" | ", logTail), errno);
        this.program = program;
        this.logTail = List.copyOf(logTail);
    }

    public String program() {
        return program;
    }

    public List<String> logTail() {
        return logTail;
    }
}
