package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.MapCodec;
import dev.sonde.agent.bpf.TypedMap;
import dev.sonde.agent.probe.KernelCodecs.DnsQuery;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * DNS queries that got no answer: the dns probe keeps each query in the pending map until its answer; what is
 * older than the timeout is deleted here and counted as unanswered for its cgroup (cumulative, like the kernel's
 * counters). Not thread-safe: {@link KernelProbes} serialises.
 */
final class DnsTimeouts {
    private final TypedMap<DnsQuery, Long> pending;
    private final Duration timeout;
    private final Map<Long, Long> unanswered = new HashMap<>();

    DnsTimeouts(BpfMap pending, Duration timeout) {
        this.pending = TypedMap.of(pending, KernelCodecs.DNS_QUERY, MapCodec.U64);
        this.timeout = timeout;
    }

    /** Deletes the queries older than the timeout at {@code nowNanos} (CLOCK_MONOTONIC, as bpf_ktime_get_ns). */
    void expire(long nowNanos) {
        long cutoff = nowNanos - timeout.toNanos();
        pending.readAll().forEach((query, sentNanos) -> {
            if (sentNanos < cutoff && pending.delete(query)) { // the answer may have won the race
                unanswered.merge(query.cgroup().id(), 1L, Long::sum);
            }
        });
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
