package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfException;
import dev.sonde.agent.bpf.KernelBtf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the running kernel and this process can do, detected once at start: BTF, each probe's
 * tracepoint, the cgroup2 mount (unified or hybrid) and the effective capabilities.
 */
public record KernelCapabilities(
        String kernelRelease,
        boolean btf, String btfProblem,
        Optional<Path> cgroup2Mount,
        long capEff,
        Map<Probe, ProbeAttachment> probes) {

    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_SYS_RESOURCE = 24;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;
    /** The capabilities the agent uses or reports (AgentReport kernel facts), by bit number, in order. */
    public static final java.util.SortedMap<Integer, String> NAMES = new java.util.TreeMap<>(Map.of(
            CAP_NET_ADMIN, "CAP_NET_ADMIN", CAP_SYS_ADMIN, "CAP_SYS_ADMIN", CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE",
            CAP_PERFMON, "CAP_PERFMON", CAP_BPF, "CAP_BPF"));

    /** The names of those capabilities this process has, in bit order. */
    public java.util.List<String> capabilityNames() {
        return NAMES.entrySet().stream().filter(cap -> hasCapability(cap.getKey())).map(Map.Entry::getValue).toList();
    }

    public static KernelCapabilities detect() {
        return detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/status"));
    }

    static KernelCapabilities detect(Path mountinfo, Path status) {
        String release = read(Path.of("/proc/sys/kernel/osrelease")).strip();
        Optional<Path> cgroup2 = cgroup2Mount(read(mountinfo));
        long capEff = capEff(read(status));
        KernelBtf btf = null;
        String btfProblem = "";
        try {
            btf = KernelBtf.loadVmlinux();
        } catch (BpfException e) {
            btfProblem = "no kernel BTF (/sys/kernel/btf/vmlinux): " + e.getMessage();
        }
        Map<Probe, ProbeAttachment> probes = new EnumMap<>(Probe.class);
        try {
            for (Probe probe : Probe.values()) {
                probes.put(probe, judge(probe, btf, btfProblem, cgroup2, capEff));
            }
        } finally {
            if (btf != null) {
                btf.close();
            }
        }
        return new KernelCapabilities(release, btf != null, btfProblem, cgroup2, capEff, probes);
    }

    public ProbeAttachment support(Probe probe) {
        return probes.get(probe);
    }

    public boolean hasCapability(int cap) {
        return (capEff & (1L << cap)) != 0;
    }

    private static ProbeAttachment judge(Probe probe, KernelBtf btf, String btfProblem, Optional<Path> cgroup2,
            long capEff) {
        boolean sysAdmin = has(capEff, CAP_SYS_ADMIN);
        if (!sysAdmin && !has(capEff, CAP_BPF)) {
            return ProbeAttachment.unsupported(ProbeAttachment.CAPABILITY_MISSING,
                    "missing CAP_BPF (or CAP_SYS_ADMIN)");
        }
        if (btf == null) {
            return ProbeAttachment.unsupported(ProbeAttachment.BTF_MISSING, btfProblem);
        }
        for (Probe.Hook hook : probe.hooks()) {
            if (hook.kind() == Probe.AttachKind.CGROUP_SKB) {
                if (cgroup2.isEmpty()) {
                    return ProbeAttachment.unsupported(ProbeAttachment.CGROUP_V2_MISSING,
                            "no cgroup2 mount in /proc/self/mountinfo");
                }
                if (!sysAdmin && !has(capEff, CAP_NET_ADMIN)) {
                    return ProbeAttachment.unsupported(ProbeAttachment.CAPABILITY_MISSING,
                            "missing CAP_NET_ADMIN for cgroup_skb");
                }
                continue;
            }
            if (hook.kind() == Probe.AttachKind.NETFILTER) {
                if (!sysAdmin && !has(capEff, CAP_NET_ADMIN)) {
                    return ProbeAttachment.unsupported(ProbeAttachment.CAPABILITY_MISSING,
                            "missing CAP_NET_ADMIN for netfilter programs");
                }
                // BPF netfilter hooks came with Linux 6.4, and bpf_nf_ctx with them
                if (btf.struct("bpf_nf_ctx") == null) {
                    return ProbeAttachment.unsupported(ProbeAttachment.TRACEPOINT_MISSING,
                            "kernel has no BPF netfilter programs (Linux >= 6.4 with CONFIG_NETFILTER_BPF_LINK)");
                }
                continue;
            }
            if (!sysAdmin && !has(capEff, CAP_PERFMON)) {
                return ProbeAttachment.unsupported(ProbeAttachment.CAPABILITY_MISSING,
                        "missing CAP_PERFMON for tracepoints");
            }
            // tp_btf programs attach through the btf_trace_<name> typedef, not tracefs (often not mounted)
            if (!btf.hasTracepoint(hook.tracepoint())) {
                return ProbeAttachment.unsupported(ProbeAttachment.TRACEPOINT_MISSING,
                        "kernel has no tracepoint " + hook.category() + ":" + hook.tracepoint());
            }
        }
        return ProbeAttachment.detached();
    }

    /** The cgroup2 mount, preferring /sys/fs/cgroup (unified) over /sys/fs/cgroup/unified (hybrid). */
    static Optional<Path> cgroup2Mount(String mountinfo) {
        Path best = null;
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            String[] before = line.substring(0, dash).split(" ");
            if (after.length == 0 || !after[0].equals("cgroup2") || before.length < 5) {
                continue;
            }
            Path mount = Path.of(before[4].replace("\\040", " "));
            if (best == null || mount.equals(Path.of("/sys/fs/cgroup"))
                    || (mount.equals(Path.of("/sys/fs/cgroup/unified")) && !best.equals(Path.of("/sys/fs/cgroup")))) {
                best = mount;
            }
        }
        return Optional.ofNullable(best);
    }

    static long capEff(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        return 0;
    }

    private static boolean has(long capEff, int cap) {
        return (capEff & (1L << cap)) != 0;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
