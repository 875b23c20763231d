package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * A loaded program as the kernel reports it. {@code runTimeNs}/{@code runCount} only advance
 * while {@code kernel.bpf_stats_enabled} is 1 (or a {@link BpfStats} handle is held).
 */
public record ProgramInfo(String program, int id, long runTimeNs, long runCount) {
    // struct bpf_prog_info offsets (uapi, stable): id 4, run_time_ns 192, run_cnt 200; size 232
    static final int INFO_SIZE = 232;

    static ProgramInfo from(String program, MemorySegment info) {
        return new ProgramInfo(program, info.get(JAVA_INT, 4), info.get(JAVA_LONG, 192), info.get(JAVA_LONG, 200));
    }

    /** Average nanoseconds per run, NaN before the first counted run. */
    public double averageNs() {
        return runCount == 0 ? Double.NaN : (double) runTimeNs / runCount;
    }
}
