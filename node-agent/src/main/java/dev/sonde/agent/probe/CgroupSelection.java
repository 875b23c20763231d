package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.MapCodec;
import dev.sonde.agent.bpf.TypedMap;
import dev.sonde.agent.probe.KernelCodecs.DnsPort;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which cgroups the programs count, as the kernel holds it: the selection map (cgroup → monitor mask), each
 * selected cgroup's traffic entry, and its DNS server ports. Unselecting deletes the kernel entries, so the
 * programs stop counting, and keeps the cgroup's traffic totals here until {@link #forget}. Not thread-safe:
 * {@link KernelProbes} serialises.
 */
final class CgroupSelection {
    private static final byte DNS_PORT_ON = 1;

    private final TypedMap<CgroupId, Long> selected;
    private final TypedMap<CgroupId, long[]> traffic;
    private final TypedMap<DnsPort, Byte> dnsPortsMap;
    /** The DNS ports each cgroup has in the kernel's dns_ports map. */
    private final Map<Long, Set<Integer>> dnsPorts = new HashMap<>();
    /** Traffic counted for cgroups that were unselected since: their kernel entry is gone. */
    private final Map<Long, long[]> retiredTraffic = new HashMap<>();

    CgroupSelection(BpfMap selected, BpfMap traffic, BpfMap dnsPorts) {
        this.selected = TypedMap.of(selected, KernelCodecs.CGROUP, MapCodec.U64);
        this.traffic = TypedMap.of(traffic, KernelCodecs.CGROUP, KernelCodecs.trafficCounters(traffic));
        this.dnsPortsMap = TypedMap.of(dnsPorts, KernelCodecs.DNS_PORT, MapCodec.U8);
    }

    /** Counts this cgroup's sockets from now on, for the monitors in the mask (non-zero). */
    void select(CgroupId cgroup, long monitorMask) {
        // traffic counts where its entry exists: create it first, zeroed; an existing one stays
        traffic.createZeroed(cgroup);
        selected.update(cgroup, monitorMask, BpfMap.UpdateMode.ANY);
    }

    /** Replaces the cgroup's DNS server ports (empty: none) with as few map writes as the difference needs. */
    void selectDnsPorts(CgroupId cgroup, Set<Integer> ports) {
        Set<Integer> current = dnsPorts.getOrDefault(cgroup.id(), Set.of());
        for (int port : current) {
            if (!ports.contains(port)) {
                dnsPortsMap.delete(new DnsPort(cgroup, port));
            }
        }
        for (int port : ports) {
            if (!current.contains(port)) {
                dnsPortsMap.update(new DnsPort(cgroup, port), DNS_PORT_ON, BpfMap.UpdateMode.ANY);
            }
        }
        if (ports.isEmpty()) {
            dnsPorts.remove(cgroup.id());
        } else {
            dnsPorts.put(cgroup.id(), Set.copyOf(ports));
        }
    }

    /** Stops counting the cgroup: its kernel entries go, its traffic totals stay readable until {@link #forget}. */
    void unselect(CgroupId cgroup) {
        selectDnsPorts(cgroup, Set.of());
        selected.delete(cgroup);
        long[] last = traffic.lookup(cgroup);
        if (last != null) {
            traffic.delete(cgroup);
            retiredTraffic.merge(cgroup.id(), last, CgroupSelection::plus);
        }
    }

    /** Selected cgroups and their monitor masks, as the kernel holds them. */
    Map<CgroupId, Long> read() {
        return selected.readAll();
    }

    /** Every cgroup's traffic totals, the selected ones' from one read of the kernel map, into the decoder. */
    void readTraffic(CountersDecoder decoder) {
        traffic.readAll().forEach((cgroup, t) -> decoder.addTraffic(cgroup.id(), t));
        retiredTraffic.forEach(decoder::addTraffic);
    }

    /** Drops what is kept of an unselected cgroup. */
    void forget(CgroupId cgroup) {
        retiredTraffic.remove(cgroup.id());
    }

    private static long[] plus(long[] a, long[] b) {
        long[] sum = a.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }
}
