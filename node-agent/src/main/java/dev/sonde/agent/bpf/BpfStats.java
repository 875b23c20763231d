package dev.sonde.agent.bpf;

/**
 * Holds BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) open: while any such fd (or the sysctl
 * kernel.bpf_stats_enabled) is on, {@link ProgramInfo#runTimeNs()} and runCount advance.
 */
public final class BpfStats implements AutoCloseable {
    private final int fd;
    private boolean closed;

    private BpfStats(int fd) {
        this.fd = fd;
    }

    public static BpfStats enable() {
        LibbpfLog.install();
        try {
            int fd = (int) Libbpf.BPF_ENABLE_STATS.invokeExact(Libbpf.BPF_STATS_RUN_TIME);
            BpfObject.check(fd, "bpf_enable_stats");
            return new BpfStats(fd);
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_enable_stats", t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) Libbpf.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw Libbpf.fail("close", t);
        }
    }
}
