package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * DNS queries that got no answer: the dns probe keeps each query in the pending map until its answer; what is
 * older than the timeout is deleted here and counted as unanswered for its cgroup (cumulative, like the kernel's
 * counters). Not thread-safe: {@link KernelProbes} serialises.
 */
final class DnsTimeouts {
    private final BpfMap pending;
    private final Duration timeout;
    private final Map<Long, Long> unanswered = new HashMap<>();

    DnsTimeouts(BpfMap pending, Duration timeout) {
        this.pending = pending;
        this.timeout = timeout;
    }

    /** Deletes the queries older than the timeout at {@code nowNanos} (CLOCK_MONOTONIC, as bpf_ktime_get_ns). */
    void expire(long nowNanos) {
        long cutoff = nowNanos - timeout.toNanos();
        BpfMap.Snapshot s = pending.readAll();
        for (int i = 0; i < s.count(); i++) {
            if (s.value(i).getLong(0) < cutoff) {
                byte[] key = new byte[s.keySize()];
                s.key(i).get(key);
                if (pending.delete(key)) { // the answer may have won the race
                    unanswered.merge(s.key(i).getLong(KernelAbi.DNS_KEY_CGROUP_ID), 1L, Long::sum);
                }
            }
        }
    }

    /** Whether any cgroup has unanswered queries counted. */
    boolean any() {
        return !unanswered.isEmpty();
    }

    /** Each cgroup's unanswered queries so far, into the decoder. */
    void read(CountersDecoder decoder) {
        unanswered.forEach(decoder::addUnanswered);
    }

    void forget(CgroupId cgroup) {
        unanswered.remove(cgroup.id());
    }
}
