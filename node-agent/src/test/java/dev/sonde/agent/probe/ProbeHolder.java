package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.ProgramInfo;
import java.util.stream.Collectors;

/**
 * Child process of {@link DetachIT}: loads and attaches every supported probe, prints the kernel
 * ids of its programs and links, then waits to be killed.
 */
public final class ProbeHolder {
    private ProbeHolder() {
    }

    public static void main(String[] args) throws InterruptedException {
        KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), KernelCapabilities.detect());
        for (Probe p : Probe.values()) {
            if (probes.state(p).usable()) {
                probes.attach(p);
            }
        }
        String progs = probes.programs().stream().map(ProgramInfo::id).map(String::valueOf).collect(Collectors.joining(","));
        String links = probes.linkIds().stream().map(String::valueOf).collect(Collectors.joining(","));
        System.out.println("IDS " + progs + " " + links);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
