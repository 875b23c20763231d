package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfException;
import dev.sonde.agent.bpf.BpfLink;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.api.v1alpha1.NodeProbeState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each probe's attach state and its links: {@code DETACHED} → {@code ATTACHED} (every hook of the probe linked)
 * → {@code DETACHED}; a failed attach closes what it linked and leaves the probe {@code FAILED}. Not thread-safe:
 * {@link KernelProbes} serialises.
 */
final class ProbeLinks implements AutoCloseable {
    /** NFPROTO_IPV4, NFPROTO_IPV6 */
    private static final int[] NETFILTER_FAMILIES = {2, 10};
    /** NF_INET_PRE_ROUTING (pods' packets entering the node's namespace), NF_INET_LOCAL_OUT (the node's own) */
    private static final int[] NETFILTER_HOOKS = {0, 3};
    /** just after NF_IP_PRI_NAT_DST (-100): the DNAT is done, the conntrack entry says where to */
    private static final int AFTER_DNAT = -99;

    private final BpfObject object;
    /** Where cgroup programs attach (the cgroup2 root: they see every pod); null: none mounted. */
    private final Path cgroupRoot;
    private final Map<Probe, ProbeAttachment> states;
    private final Map<Probe, List<BpfLink>> links = new EnumMap<>(Probe.class);

    ProbeLinks(BpfObject object, Path cgroupRoot, Map<Probe, ProbeAttachment> states) {
        this.object = object;
        this.cgroupRoot = cgroupRoot;
        this.states = new EnumMap<>(states);
    }

    Map<Probe, ProbeAttachment> states() {
        return Collections.unmodifiableMap(new EnumMap<>(states));
    }

    ProbeAttachment state(Probe probe) {
        return states.get(probe);
    }

    void attach(Probe probe) {
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
                link(hook, attached);
            }
        } catch (BpfException e) {
            attached.forEach(BpfLink::close);
            states.put(probe, ProbeAttachment.failed(ProbeAttachment.ATTACH_FAILED, "attach: " + e.getMessage()));
            throw e;
        }
        links.put(probe, attached);
        states.put(probe, ProbeAttachment.attached());
    }

    private void link(Probe.Hook hook, List<BpfLink> attached) {
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

    void detach(Probe probe) {
        List<BpfLink> ls = links.remove(probe);
        if (ls == null) {
            return;
        }
        ls.forEach(BpfLink::close);
        states.put(probe, ProbeAttachment.detached());
    }

    Set<Probe> attached() {
        return links.isEmpty() ? EnumSet.noneOf(Probe.class) : EnumSet.copyOf(links.keySet());
    }

    /** Kernel ids of the current links, as {@code bpftool link show} lists them. */
    List<Integer> linkIds() {
        return links.values().stream().flatMap(List::stream).map(BpfLink::id).toList();
    }

    /** Kernel statistics of every loaded program. */
    List<ProgramInfo> programs() {
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

    /** Closes every link; the object stays loaded. */
    @Override
    public void close() {
        links.values().forEach(ls -> ls.forEach(BpfLink::close));
        links.clear();
    }
}
