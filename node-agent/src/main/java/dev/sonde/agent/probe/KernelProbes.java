package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.agent.bpf.BpfException;
import dev.sonde.agent.bpf.BpfLink;
import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.bpf.VerifierRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's probes: loads sonde.bpf.o once, attaches and detaches each probe by contract name,
 * keeps the in-kernel selection of cgroups, and reads the per-cgroup counters. Thread-safe
 * (methods are serialised); {@link #close()} detaches everything.
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
    private static final Logger LOG = LoggerFactory.getLogger(KernelProbes.class);
    private static final String OBJECT_RESOURCE = "/bpf/sonde.bpf.o";
    private static final int EEXIST = 17;
    /** NFPROTO_IPV4, NFPROTO_IPV6 */
    private static final int[] NETFILTER_FAMILIES = {2, 10};
    /** NF_INET_PRE_ROUTING (pods' packets entering the node's namespace), NF_INET_LOCAL_OUT (the node's own) */
    private static final int[] NETFILTER_HOOKS = {0, 3};
    /** just after NF_IP_PRI_NAT_DST (-100): the DNAT is done, the conntrack entry says where to */
    private static final int AFTER_DNAT = -99;

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
    private final Path cgroupRoot;
    private final BpfObject object;
    private final Map<Probe, ProbeAttachment> states;
    private final Map<Probe, List<BpfLink>> links = new EnumMap<>(Probe.class);
    private final Map<Long, Long> dnsUnanswered = new HashMap<>();
    /** The DNS ports each cgroup has in the kernel's dns_ports map. */
    private final Map<Long, Set<Integer>> dnsPorts = new HashMap<>();
    /** Traffic counted for cgroups that were unselected since: their kernel entry is gone. */
    private final Map<Long, long[]> retiredTraffic = new HashMap<>();
    private int metricEntries;
    private int flowEntries;
    private final BpfMap selected;
    private final BpfMap traffic;
    private final BpfMap metrics;
    private final BpfMap dnsPending;
    private final BpfMap dnsPortsMap;
    private final BpfMap mapFull;
    private final FlowTable flows;
    private boolean closed;

    private KernelProbes(Config config, Path cgroupRoot, BpfObject object, Map<Probe, ProbeAttachment> states) {
        this.config = config;
        this.cgroupRoot = cgroupRoot;
        this.object = object;
        this.states = states;
        this.selected = object.map(KernelAbi.SELECTED_CGROUPS);
        this.traffic = object.map(KernelAbi.TRAFFIC);
        this.metrics = object.map(KernelAbi.METRICS);
        this.dnsPending = object.map(KernelAbi.DNS_PENDING);
        this.dnsPortsMap = object.map(KernelAbi.DNS_PORTS);
        this.mapFull = object.map(KernelAbi.MAP_FULL);
        this.flows = new FlowTable(object.map(KernelAbi.FLOWS), object.map(KernelAbi.FLOW_BUDGET));
    }

    /**
     * Loads the programs of every probe the kernel supports. A probe whose program the verifier
     * rejects becomes {@code FAILED} with the log's last lines and the rest load without it.
     * Throws only when nothing at all can be loaded.
     */
    public static KernelProbes load(Config config, KernelCapabilities caps) {
        Map<Probe, ProbeAttachment> states = new EnumMap<>(Probe.class);
        Set<Probe> wanted = EnumSet.noneOf(Probe.class);
        for (Probe p : Probe.values()) {
            ProbeAttachment s = caps.support(p);
            states.put(p, s);
            if (s.usable()) {
                wanted.add(p);
            }
        }
        if (wanted.isEmpty()) {
            throw new BpfException("no probe is supported on this kernel: " + states, 0);
        }
        byte[] image = config.objectFile() == null ? bundledObject() : null;
        Path cgroupRoot = caps.cgroup2Mount().orElse(null);
        while (true) {
            BpfObject object = image != null ? BpfObject.open(image, "sonde") : BpfObject.open(config.objectFile());
            try {
                for (Probe p : Probe.values()) {
                    for (Probe.Hook h : p.hooks()) {
                        object.setAutoload(h.program(), wanted.contains(p));
                    }
                }
                object.setRodata(KernelAbi.KNOB_NODE_LEVEL_EVENTS, config.nodeLevelEvents() ? 1 : 0);
                object.setRodata(KernelAbi.KNOB_EPHEMERAL_PORT_MIN, EphemeralPorts.lowest());
                object.setMaxEntries(KernelAbi.SELECTED_CGROUPS, config.maxSelectedCgroups());
                object.setMaxEntries(KernelAbi.TRAFFIC, config.maxSelectedCgroups());
                object.setMaxEntries(KernelAbi.METRICS, config.maxMetricEntries());
                object.setMaxEntries(KernelAbi.DNS_PORTS, config.maxSelectedCgroups() * Config.MAX_DNS_PORTS_PER_CGROUP);
                object.setMaxEntries(KernelAbi.FLOW_BUDGET, config.maxSelectedCgroups());
                object.setMaxEntries(KernelAbi.FLOWS, config.maxFlows());
                object.load();
                LOG.info("loaded probes {}", wanted);
                return new KernelProbes(config, cgroupRoot, object, states);
            } catch (VerifierRejectedException e) {
                object.close();
                Probe culprit = probeOf(e.program());
                if (culprit == null || !wanted.remove(culprit)) {
                    throw e;
                }
                LOG.warn("probe {} failed to load: {}", culprit.contractName(), e.getMessage());
                states.put(culprit, ProbeAttachment.failed(ProbeAttachment.VERIFIER_REJECTED,
                        "verifier rejected " + e.program() + ": "
                        + String.join("\n", e.logTail())));
                if (wanted.isEmpty()) {
                    throw e;
                }
            } catch (RuntimeException e) {
                object.close();
                throw e;
            }
        }
    }

    public synchronized Map<Probe, ProbeAttachment> states() {
        return Collections.unmodifiableMap(new EnumMap<>(states));
    }

    public synchronized ProbeAttachment state(Probe probe) {
        return states.get(probe);
    }

    /** Attaches every program of the probe; idempotent. Failure leaves the probe detached and FAILED. */
    public synchronized void attach(Probe probe) {
        checkOpen();
        ProbeAttachment s = states.get(probe);
        if (s.state() == NodeProbeState.ATTACHED) {
            return;
        }
        if (!s.usable()) {
            throw new IllegalStateException(probe.contractName() + " is " + s.state() + ": " + s.message());
        }
        List<BpfLink> attached = new ArrayList<>();
        try {
            for (Probe.Hook hook : probe.hooks()) {
                switch (hook.kind()) {
                    case TRACEPOINT -> attached.add(object.attachTracing(hook.program()));
                    case CGROUP_SKB -> {
                        if (cgroupRoot == null) {
                            throw new BpfException("no cgroup2 mount", 0);
                        }
                        attached.add(object.attachCgroup(hook.program(), cgroupRoot));
                    }
                    case NETFILTER -> {
                        for (int family : NETFILTER_FAMILIES) {
                            for (int nfHook : NETFILTER_HOOKS) {
                                attached.add(object.attachNetfilter(hook.program(), family, nfHook, AFTER_DNAT));
                            }
                        }
                    }
                }
            }
        } catch (BpfException e) {
            attached.forEach(BpfLink::close);
            states.put(probe, ProbeAttachment.failed(ProbeAttachment.ATTACH_FAILED, "attach: " + e.getMessage()));
            throw e;
        }
        links.put(probe, attached);
        states.put(probe, ProbeAttachment.attached());
    }

    /** Detaches the probe's programs; its counters stay readable. Idempotent. */
    public synchronized void detach(Probe probe) {
        checkOpen();
        List<BpfLink> ls = links.remove(probe);
        if (ls == null) {
            return;
        }
        ls.forEach(BpfLink::close);
        states.put(probe, ProbeAttachment.detached());
    }

    public synchronized Set<Probe> attached() {
        return links.isEmpty() ? EnumSet.noneOf(Probe.class) : EnumSet.copyOf(links.keySet());
    }

    /** Counts this cgroup's sockets from now on; monitorMask: which monitors selected it (non-zero). */
    public synchronized void select(CgroupId cgroup, long monitorMask) {
        checkOpen();
        if (monitorMask == 0) {
            unselect(cgroup);
            return;
        }
        byte[] key = u64(cgroup.id());
        try {
            // traffic counts where its entry exists: create it first, zeroed, keeping an existing one
            traffic.update(key, new byte[traffic.valueBytes()], BpfMap.UpdateMode.NOEXIST);
        } catch (BpfException e) {
            if (e.errno() != EEXIST) {
                throw e;
            }
        }
        selected.update(key, u64(monitorMask), BpfMap.UpdateMode.ANY);
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
        Set<Integer> current = dnsPorts.getOrDefault(cgroup.id(), Set.of());
        for (int port : current) {
            if (!ports.contains(port)) {
                dnsPortsMap.delete(dnsPortKey(cgroup, port));
            }
        }
        for (int port : ports) {
            if (!current.contains(port)) {
                dnsPortsMap.update(dnsPortKey(cgroup, port), new byte[] {1}, BpfMap.UpdateMode.ANY);
            }
        }
        if (ports.isEmpty()) {
            dnsPorts.remove(cgroup.id());
        } else {
            dnsPorts.put(cgroup.id(), Set.copyOf(ports));
        }
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
    public synchronized void expireFlows(java.util.Collection<FlowKey> idle) {
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
        cgroups.forEach(this::unselectCounters);
    }

    private void unselectCounters(CgroupId cgroup) {
        selectDnsPorts(cgroup, Set.of());
        byte[] key = u64(cgroup.id());
        selected.delete(key);
        byte[] last = traffic.lookup(key);
        if (last != null) {
            // keep its totals: the kernel entry must go, or the traffic programs would keep counting
            traffic.delete(key);
            long[] t = CountersDecoder.sumTraffic(BpfMap.wrap(last), traffic.perCpuSlot());
            retiredTraffic.merge(cgroup.id(), t, KernelProbes::plus);
        }
    }

    /** Selected cgroups and their monitor masks, as the kernel holds them. */
    public synchronized Map<CgroupId, Long> selection() {
        checkOpen();
        BpfMap.Snapshot s = selected.readAll();
        Map<CgroupId, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < s.count(); i++) {
            out.put(new CgroupId(s.key(i).getLong(0)), s.value(i).getLong(0));
        }
        return out;
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
        dnsUnanswered.remove(cgroup.id());
        retiredTraffic.remove(cgroup.id());
    }

    /**
     * Cumulative counters per cgroup (plus {@link CgroupId#NODE} for node-level events), from one
     * batch read of the metrics map. Also expires DNS queries older than the DNS timeout into
     * {@code dnsUnanswered}.
     */
    public synchronized Map<CgroupId, ProbeCounters> readCounters() {
        checkOpen();
        expireDnsQueries();
        CountersDecoder decoder = new CountersDecoder();
        BpfMap.Snapshot m = metrics.readAll();
        metricEntries = m.count();
        decoder.add(m, metrics.perCpuSlot());
        BpfMap.Snapshot t = traffic.readAll();
        for (int i = 0; i < t.count(); i++) {
            decoder.addTraffic(t.key(i).getLong(0), CountersDecoder.sumTraffic(t.value(i), traffic.perCpuSlot()));
        }
        retiredTraffic.forEach(decoder::addTraffic);
        dnsUnanswered.forEach(decoder::addUnanswered);
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
            KernelAbi.RTT_LAST_SAMPLE, KernelAbi.FLOWS, KernelAbi.FLOW_SOCKS};
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < KernelAbi.MAP_COUNT; i++) {
            out.put(names[i], CountersDecoder.sumPerCpu(BpfMap.wrap(mapFull.lookup(u32(i))), mapFull.perCpuSlot(), 8, 0));
        }
        return out;
    }

    /** Kernel statistics of every loaded program (ids for bpftool; run time with bpf stats on). */
    public synchronized List<ProgramInfo> programs() {
        checkOpen();
        List<ProgramInfo> out = new ArrayList<>();
        for (Probe p : Probe.values()) {
            if (!states.get(p).usable()) {
                continue;
            }
            for (Probe.Hook h : p.hooks()) {
                out.add(object.programInfo(h.program()));
            }
        }
        return out;
    }

    /** Kernel ids of our current links, as {@code bpftool link show} lists them. */
    public synchronized List<Integer> linkIds() {
        checkOpen();
        return links.values().stream().flatMap(List::stream).map(BpfLink::id).toList();
    }

    private void expireDnsQueries() {
        if (states.get(Probe.DNS).state() != NodeProbeState.ATTACHED && dnsUnanswered.isEmpty()) {
            return;
        }
        long cutoff = System.nanoTime() - config.dnsTimeout().toNanos(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
        BpfMap.Snapshot s = dnsPending.readAll();
        for (int i = 0; i < s.count(); i++) {
            if (s.value(i).getLong(0) < cutoff) {
                byte[] key = new byte[s.keySize()];
                s.key(i).get(key);
                if (dnsPending.delete(key)) { // the answer may have won the race
                    dnsUnanswered.merge(s.key(i).getLong(KernelAbi.DNS_KEY_CGROUP_ID), 1L, Long::sum);
                }
            }
        }
    }

    private static Probe probeOf(String program) {
        for (Probe p : Probe.values()) {
            for (Probe.Hook h : p.hooks()) {
                if (h.program().equals(program)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** sonde.bpf.o as the agent jar carries it. */
    private static byte[] bundledObject() {
        try (InputStream in = KernelProbes.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new BpfException(OBJECT_RESOURCE + " missing from the classpath (run the Maven build)", 0);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + OBJECT_RESOURCE, e);
        }
    }

    private static long[] plus(long[] a, long[] b) {
        long[] sum = a.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    private static byte[] dnsPortKey(CgroupId cgroup, int port) {
        return ByteBuffer.allocate(KernelAbi.DNS_PORT_KEY_SIZE).order(ByteOrder.nativeOrder())
                .putLong(KernelAbi.DNS_PORT_KEY_CGROUP_ID, cgroup.id()).putInt(KernelAbi.DNS_PORT_KEY_PORT, port).array();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
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
        links.values().forEach(ls -> ls.forEach(BpfLink::close));
        links.clear();
        object.close();
    }
}
