package dev.sonde.agent.bpf;

import java.util.List;
import java.util.Map;

/**
 * What a failed {@code bpf_object__load} says, from the per-program verifier logs and libbpf's own log lines:
 * which program was rejected and the last lines that say why.
 */
final class VerifierLog {
    static final int TAIL_LINES = 12;

    private VerifierLog() {
    }

    /**
     * The failure of a load that returned {@code -errno}: the first program whose verifier log is not empty;
     * else the program libbpf's lines name ({@code prog 'name': ...}); else a plain failure with libbpf's last
     * lines.
     *
     * @param programLogs each program's verifier log, in load order
     * @param libbpfLines libbpf's recent log lines, oldest first
     */
    static BpfException rejection(Map<String, String> programLogs, List<String> libbpfLines, int errno) {
        for (var e : programLogs.entrySet()) {
            if (!e.getValue().isEmpty()) {
                return new VerifierRejectedException(e.getKey(), errno, tail(e.getValue().lines().toList()));
            }
        }
        List<String> lines = tail(libbpfLines);
        String program = programNamedIn(libbpfLines);
        if (program != null) {
            return new VerifierRejectedException(program, errno, lines);
        }
        return new BpfException("bpf_object__load: " + Libbpf.strerror(errno) + ": " + String.join(" | ", lines),
                errno);
    }

    /** The last {@value #TAIL_LINES} non-blank lines. */
    static List<String> tail(List<String> lines) {
        List<String> text = lines.stream().filter(l -> !l.isBlank()).toList();
        return text.subList(Math.max(0, text.size() - TAIL_LINES), text.size());
    }

    /** The program the newest libbpf line that names one names. */
    static String programNamedIn(List<String> libbpfLines) {
        for (int i = libbpfLines.size() - 1; i >= 0; i--) {
            String line = libbpfLines.get(i);
            int start = line.indexOf("prog '");
            if (start >= 0) {
                int end = line.indexOf('\'', start + 6);
                if (end > start) {
                    return line.substring(start + 6, end);
                }
            }
        }
        return null;
    }
}
