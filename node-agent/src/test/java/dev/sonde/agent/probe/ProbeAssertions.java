package dev.sonde.agent.probe;

import java.time.Duration;
import java.util.function.Predicate;

/** Reading counters the kernel may still be updating (softirq work after a process exits). */
final class ProbeAssertions {
    private ProbeAssertions() {
    }

    static ProbeCounters counters(KernelProbes probes, CgroupId cgroup) {
        return probes.readCounters().getOrDefault(cgroup, ProbeCounters.ZERO);
    }

    /** Polls until the predicate holds or the timeout passes, then returns the last reading either way. */
    static ProbeCounters settle(KernelProbes probes, CgroupId cgroup, Predicate<ProbeCounters> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ProbeCounters c = counters(probes, cgroup);
        while (!done.test(c) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = counters(probes, cgroup);
        }
        return c;
    }
}
