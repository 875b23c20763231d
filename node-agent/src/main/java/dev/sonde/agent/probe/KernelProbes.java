package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.MapCodec;
import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.bpf.TypedMap;
import dev.sonde.api.v1alpha1.NodeProbeState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's probes, one lock over the parts that each own their kernel maps: {@link ProbeLoader} loads
 * sonde.bpf.o once, {@link ProbeLinks} attaches and detaches each probe, {@link CgroupSelection} keeps which cgroups
 * are counted, {@link FlowTable} their flows, {@link DnsTimeouts} the unanswered queries; the per-cgroup counters
 * are read here. Thread-safe (methods are serialised); {@link #close()} detaches everything.
 *
 * <pre>{@code
 * try (KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), KernelCapabilities.detect())) {
 *     probes.attach(Probe.TCP_CONNECTIONS);
 *     probes.select(CgroupId.of(podCgroupDir), 1L << monitorIndex);
 *     Map<CgroupId, ProbeCounters> now = probes.readCounters();
 * }
 * }</pre>
 */
public final class KernelProbes implements AutoCloseable {
    /**
     * @param objectFile sonde.bpf.o to load; null: the copy inside the agent jar (opened from memory)
     * @param nodeLevelEvents count socket-less drops and resets under {@link CgroupId#NODE}
     * @param maxSelectedCgroups bound of the selection map
     * @param maxMetricEntries bound of the metrics map (cgroups x metric keys)
     * @param dnsTimeout a query without an answer after this long counts as unanswered
     * @param maxFlows bound of the flows map (all pods' flows on the node)
     */
    public record Config(Path objectFile, boolean nodeLevelEvents, int maxSelectedCgroups,
            int maxMetricEntries, Duration dnsTimeout, int maxFlows) {
        /** DNS ports one selected cgroup can have (the API allows 8 per probe; monitors' ports are merged). */
        public static final int MAX_DNS_PORTS_PER_CGROUP = 8;

        public static Config defaults() {
            return new Config(null, true, 4096, 16384, Duration.ofSeconds(5), 16384);
        }

        public Config withDnsTimeout(Duration timeout) {
            return new Config(objectFile, nodeLevelEvents, maxSelectedCgroups, maxMetricEntries, timeout, maxFlows);
        }

        public Config withMaxMetricEntries(int n) {
            return new Config(objectFile, nodeLevelEvents, maxSelectedCgroups, n, dnsTimeout, maxFlows);
        }

        public Config withMaxFlows(int n) {
            return new Config(objectFile, nodeLevelEvents, maxSelectedCgroups, maxMetricEntries, dnsTimeout, n);
        }
    }

    private final Config config;
    private final BpfObject object;
    private final ProbeLinks links;
    private final CgroupSelection selection;
    private final DnsTimeouts dnsTimeouts;
    private final FlowTable flows;
    private final BpfMap metrics;
    private final TypedMap<Integer, Long> mapFull;
    private int metricEntries;
    private int flowEntries;
    private boolean closed;

    private KernelProbes(Config config, Path cgroupRoot, ProbeLoader.Loaded loaded) {
        this.config = config;
        this.object = loaded.object();
        this.links = new ProbeLinks(object, cgroupRoot, loaded.states());
        this.selection = new CgroupSelection(object.map(KernelAbi.SELECTED_CGROUPS), object.map(KernelAbi.TRAFFIC),
                object.map(KernelAbi.DNS_PORTS));
        this.dnsTimeouts = new DnsTimeouts(object.map(KernelAbi.DNS_PENDING), config.dnsTimeout());
        this.flows = new FlowTable(object.map(KernelAbi.FLOWS), object.map(KernelAbi.FLOW_BUDGET));
        this.metrics = object.map(KernelAbi.METRICS);
        BpfMap full = object.map(KernelAbi.MAP_FULL);
        this.mapFull = TypedMap.of(full, MapCodec.U32, KernelCodecs.perCpuU64(full));
    }

    /**
     * Loads the programs of every probe the kernel supports (see {@link ProbeLoader}). Throws only when nothing
     * at all can be loaded.
     */
    public static KernelProbes load(Config config, KernelCapabilities caps) {
        return new KernelProbes(config, caps.cgroup2Mount().orElse(null), ProbeLoader.load(config, caps));
    }

    public synchronized Map<Probe, ProbeAttachment> states() {
        return links.states();
    }

    public synchronized ProbeAttachment state(Probe probe) {
        return links.state(probe);
    }

    /** Attaches every program of the probe; idempotent. Failure leaves the probe detached and FAILED. */
    public synchronized void attach(Probe probe) {
        checkOpen();
        links.attach(probe);
    }

    /** Detaches the probe's programs; its counters stay readable. Idempotent. */
    public synchronized void detach(Probe probe) {
        checkOpen();
        links.detach(probe);
    }

    public synchronized Set<Probe> attached() {
        return links.attached();
    }

    /** Counts this cgroup's sockets from now on; monitorMask: which monitors selected it (0: unselects it). */
    public synchronized void select(CgroupId cgroup, long monitorMask) {
        checkOpen();
        if (monitorMask == 0) {
            unselect(cgroup);
        } else {
            selection.select(cgroup, monitorMask);
        }
    }

    /**
     * The server ports whose UDP traffic the dns probe parses for this selected cgroup (empty: none, so its DNS
     * is not counted). Replaces the cgroup's previous ports.
     */
    public synchronized void selectDnsPorts(CgroupId cgroup, Set<Integer> ports) {
        checkOpen();
        if (ports.size() > Config.MAX_DNS_PORTS_PER_CGROUP) {
            throw new IllegalArgumentException("at most " + Config.MAX_DNS_PORTS_PER_CGROUP + " DNS ports per cgroup: "
                    + ports);
        }
        selection.selectDnsPorts(cgroup, ports);
    }

    /**
     * Counts this selected cgroup's flows (who it talks to), at most {@code maxFlows} at a time; 0: not its flows
     * (deletes them).
     */
    public synchronized void selectFlows(CgroupId cgroup, int maxFlows) {
        checkOpen();
        if (maxFlows <= 0) {
            flows.unselect(Set.of(cgroup));
        } else {
            flows.select(cgroup, maxFlows);
        }
    }

    /** Every flow's cumulative counters and every flows-selected cgroup's budget, from one read of each map. */
    public synchronized FlowTable.Reading readFlows() {
        checkOpen();
        FlowTable.Reading r = flows.read();
        flowEntries = r.flows().size();
        return r;
    }

    /** Entries of the flows map at the last {@link #readFlows()}. */
    public synchronized int flowEntries() {
        return flowEntries;
    }

    /** Deletes flows that went idle (see {@link FlowTable#expire}). */
    public synchronized void expireFlows(Collection<FlowKey> idle) {
        checkOpen();
        flows.expire(idle);
    }

    /** Stops counting this cgroup; what it counted so far stays readable until {@link #forget}. */
    public synchronized void unselect(CgroupId cgroup) {
        unselect(Set.of(cgroup));
    }

    /** Stops counting these cgroups (one pass over the flows map for all of them); see {@link #unselect(CgroupId)}. */
    public synchronized void unselect(Set<CgroupId> cgroups) {
        checkOpen();
        if (cgroups.isEmpty()) {
            return;
        }
        flows.unselect(cgroups);
        cgroups.forEach(selection::unselect);
    }

    /** Selected cgroups and their monitor masks, as the kernel holds them. */
    public synchronized Map<CgroupId, Long> selection() {
        checkOpen();
        return selection.read();
    }

    /** Drops a cgroup's counters from the kernel map (after its pod is gone), keeping the map bounded. */
    public synchronized void forget(CgroupId cgroup) {
        checkOpen();
        BpfMap.Snapshot s = metrics.readAll();
        for (int i = 0; i < s.count(); i++) {
            if (s.key(i).getLong(KernelAbi.METRIC_KEY_CGROUP_ID) == cgroup.id()) {
                byte[] key = new byte[s.keySize()];
                s.key(i).get(key);
                metrics.delete(key);
            }
        }
        dnsTimeouts.forget(cgroup);
        selection.forget(cgroup);
    }

    /**
     * Cumulative counters per cgroup (plus {@link CgroupId#NODE} for node-level events), from one batch read of
     * the metrics and traffic maps. Also expires DNS queries older than the DNS timeout (see {@link DnsTimeouts}).
     */
    public synchronized Map<CgroupId, ProbeCounters> readCounters() {
        checkOpen();
        if (links.state(Probe.DNS).state() == NodeProbeState.ATTACHED || dnsTimeouts.any()) {
            dnsTimeouts.expire(System.nanoTime());
        }
        CountersDecoder decoder = new CountersDecoder();
        BpfMap.Snapshot m = metrics.readAll();
        metricEntries = m.count();
        decoder.add(m, metrics.perCpuSlot());
        selection.readTraffic(decoder);
        dnsTimeouts.read(decoder);
        return decoder.result();
    }

    /** Entries of the metrics map at the last {@link #readCounters()}: its fill, against {@link #config()}. */
    public synchronized int metricEntries() {
        return metricEntries;
    }

    /** What the probes were loaded with, map bounds included. */
    public Config config() {
        return config;
    }

    /** Per map, how many inserts failed because it was full (since load). */
    public synchronized Map<String, Long> mapFullCounts() {
        checkOpen();
        String[] names = {KernelAbi.METRICS, KernelAbi.CONNECT_START, KernelAbi.DNS_PENDING,
            KernelAbi.SOCK_STATE, KernelAbi.FLOWS};
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < KernelAbi.MAP_COUNT; i++) {
            out.put(names[i], mapFull.lookup(i));
        }
        return out;
    }

    /** Kernel statistics of every loaded program (ids for bpftool; run time with bpf stats on). */
    public synchronized List<ProgramInfo> programs() {
        checkOpen();
        return links.programs();
    }

    /** Kernel ids of our current links, as {@code bpftool link show} lists them. */
    public synchronized List<Integer> linkIds() {
        checkOpen();
        return links.linkIds();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("probes closed");
        }
    }

    /** Detaches every probe and unloads the object. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        links.close();
        object.close();
    }
}
