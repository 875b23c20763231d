package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which cgroups the programs count, as the kernel holds it: the selection map (cgroup → monitor mask), each
 * selected cgroup's traffic entry, and its DNS server ports. Unselecting deletes the kernel entries, so the
 * programs stop counting, and keeps the cgroup's traffic totals here until {@link #forget}. Not thread-safe:
 * {@link KernelProbes} serialises.
 */
final class CgroupSelection {
    private static final byte[] DNS_PORT_ON = {1};

    private final BpfMap selected;
    private final BpfMap traffic;
    private final BpfMap dnsPortsMap;
    /** The DNS ports each cgroup has in the kernel's dns_ports map. */
    private final Map<Long, Set<Integer>> dnsPorts = new HashMap<>();
    /** Traffic counted for cgroups that were unselected since: their kernel entry is gone. */
    private final Map<Long, long[]> retiredTraffic = new HashMap<>();

    CgroupSelection(BpfMap selected, BpfMap traffic, BpfMap dnsPorts) {
        this.selected = selected;
        this.traffic = traffic;
        this.dnsPortsMap = dnsPorts;
    }

    /** Counts this cgroup's sockets from now on, for the monitors in the mask (non-zero). */
    void select(CgroupId cgroup, long monitorMask) {
        byte[] key = BpfMap.u64(cgroup.id());
        // traffic counts where its entry exists: create it first, zeroed; NOEXIST keeps an existing one
        traffic.update(key, new byte[traffic.valueBytes()], BpfMap.UpdateMode.NOEXIST);
        selected.update(key, BpfMap.u64(monitorMask), BpfMap.UpdateMode.ANY);
    }

    /** Replaces the cgroup's DNS server ports (empty: none) with as few map writes as the difference needs. */
    void selectDnsPorts(CgroupId cgroup, Set<Integer> ports) {
        Set<Integer> current = dnsPorts.getOrDefault(cgroup.id(), Set.of());
        for (int port : current) {
            if (!ports.contains(port)) {
                dnsPortsMap.delete(dnsPortKey(cgroup, port));
            }
        }
        for (int port : ports) {
            if (!current.contains(port)) {
                dnsPortsMap.update(dnsPortKey(cgroup, port), DNS_PORT_ON, BpfMap.UpdateMode.ANY);
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
        byte[] key = BpfMap.u64(cgroup.id());
        selected.delete(key);
        byte[] last = traffic.lookup(key);
        if (last != null) {
            traffic.delete(key);
            long[] t = CountersDecoder.sumTraffic(BpfMap.wrap(last), traffic.perCpuSlot());
            retiredTraffic.merge(cgroup.id(), t, CgroupSelection::plus);
        }
    }

    /** Selected cgroups and their monitor masks, as the kernel holds them. */
    Map<CgroupId, Long> read() {
        BpfMap.Snapshot s = selected.readAll();
        Map<CgroupId, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < s.count(); i++) {
            out.put(new CgroupId(s.key(i).getLong(0)), s.value(i).getLong(0));
        }
        return out;
    }

    /** Every cgroup's traffic totals, the selected ones' from one read of the kernel map, into the decoder. */
    void readTraffic(CountersDecoder decoder) {
        BpfMap.Snapshot t = traffic.readAll();
        for (int i = 0; i < t.count(); i++) {
            decoder.addTraffic(t.key(i).getLong(0), CountersDecoder.sumTraffic(t.value(i), traffic.perCpuSlot()));
        }
        retiredTraffic.forEach(decoder::addTraffic);
    }

    /** Drops what is kept of an unselected cgroup. */
    void forget(CgroupId cgroup) {
        retiredTraffic.remove(cgroup.id());
    }

    private static byte[] dnsPortKey(CgroupId cgroup, int port) {
        return ByteBuffer.allocate(KernelAbi.DNS_PORT_KEY_SIZE).order(ByteOrder.nativeOrder())
                .putLong(KernelAbi.DNS_PORT_KEY_CGROUP_ID, cgroup.id()).putInt(KernelAbi.DNS_PORT_KEY_PORT, port)
                .array();
    }

    private static long[] plus(long[] a, long[] b) {
        long[] sum = a.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }
}
