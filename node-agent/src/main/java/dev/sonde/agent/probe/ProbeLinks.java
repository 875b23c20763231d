package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfException;
import dev.sonde.agent.bpf.BpfLink;
import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.MapCodec;
import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.bpf.TypedMap;
import dev.sonde.api.v1alpha1.NodeProbeState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each probe's attach state and the programs' links: {@code DETACHED} → {@code ATTACHED} (every hook of the probe
 * linked) → {@code DETACHED}; a failed attach releases what it linked and leaves the probe {@code FAILED}. A program
 * several probes name (the cgroup_skb programs, the shared tracepoint programs) is linked once while any of them is
 * attached; the attached_probes map holds the attached probes' bits, so such a program runs only their parts. Not
 * thread-safe: {@link KernelProbes} serialises.
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
    /** Each linked program's links (a netfilter program has four) and the attached probes that name it. */
    private final Map<String, List<BpfLink>> links = new LinkedHashMap<>();
    private final Map<String, Set<Probe>> users = new LinkedHashMap<>();
    private final Set<Probe> attached = EnumSet.noneOf(Probe.class);
    private final TypedMap<Integer, Integer> attachedBits;

    ProbeLinks(BpfObject object, Path cgroupRoot, Map<Probe, ProbeAttachment> states) {
        this.object = object;
        this.cgroupRoot = cgroupRoot;
        this.states = new EnumMap<>(states);
        this.attachedBits = TypedMap.of(object.map(KernelAbi.ATTACHED_PROBES), MapCodec.U32, MapCodec.U32);
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
        try {
            for (Probe.Hook hook : probe.hooks()) {
                if (!links.containsKey(hook.program())) {
                    links.put(hook.program(), link(hook));
                }
                users.computeIfAbsent(hook.program(), p -> EnumSet.noneOf(Probe.class)).add(probe);
            }
        } catch (BpfException e) {
            release(probe);
            states.put(probe, ProbeAttachment.failed(ProbeAttachment.ATTACH_FAILED, "attach: " + e.getMessage()));
            throw e;
        }
        attached.add(probe);
        states.put(probe, ProbeAttachment.attached());
        writeAttachedBits();
    }

    private List<BpfLink> link(Probe.Hook hook) {
        return switch (hook.kind()) {
            case TRACEPOINT -> List.of(object.attachTracing(hook.program()));
            case CGROUP_SKB -> {
                if (cgroupRoot == null) {
                    throw new BpfException("no cgroup2 mount", 0);
                }
                yield List.of(object.attachCgroup(hook.program(), cgroupRoot));
            }
            case NETFILTER -> {
                List<BpfLink> out = new ArrayList<>();
                try {
                    for (int family : NETFILTER_FAMILIES) {
                        for (int nfHook : NETFILTER_HOOKS) {
                            out.add(object.attachNetfilter(hook.program(), family, nfHook, AFTER_DNAT));
                        }
                    }
                } catch (BpfException e) {
                    out.forEach(BpfLink::close);
                    throw e;
                }
                yield out;
            }
        };
    }

    void detach(Probe probe) {
        if (!attached.remove(probe)) {
            return;
        }
        // its bit goes before its links: a shared program stays linked for the other probes
        writeAttachedBits();
        release(probe);
        states.put(probe, ProbeAttachment.detached());
    }

    /** Removes the probe from its programs' users, closing the links of programs nobody uses any more. */
    private void release(Probe probe) {
        users.entrySet().removeIf(e -> {
            e.getValue().remove(probe);
            if (!e.getValue().isEmpty()) {
                return false;
            }
            List<BpfLink> ls = links.remove(e.getKey());
            if (ls != null) {
                ls.forEach(BpfLink::close);
            }
            return true;
        });
    }

    private void writeAttachedBits() {
        int bits = 0;
        for (Probe p : attached) {
            bits |= p.bit();
        }
        attachedBits.update(0, bits, BpfMap.UpdateMode.ANY);
    }

    Set<Probe> attached() {
        return attached.isEmpty() ? EnumSet.noneOf(Probe.class) : EnumSet.copyOf(attached);
    }

    /** Kernel ids of the current links, as {@code bpftool link show} lists them. */
    List<Integer> linkIds() {
        return links.values().stream().flatMap(List::stream).map(BpfLink::id).toList();
    }

    /** Kernel statistics of every loaded program, once each. */
    List<ProgramInfo> programs() {
        Set<String> loaded = new LinkedHashSet<>();
        for (Probe p : Probe.values()) {
            if (states.get(p).usable()) {
                p.hooks().forEach(h -> loaded.add(h.program()));
            }
        }
        return loaded.stream().map(object::programInfo).toList();
    }

    /** Closes every link; the object stays loaded. */
    @Override
    public void close() {
        links.values().forEach(ls -> ls.forEach(BpfLink::close));
        links.clear();
        users.clear();
        attached.clear();
    }
}
