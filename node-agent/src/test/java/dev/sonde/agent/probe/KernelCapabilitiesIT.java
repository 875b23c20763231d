package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Detection on the real machine, against what other tools say about it. */
class KernelCapabilitiesIT {

    @Test
    void detectsThisKernel() {
        KernelLab.requireRoot();
        KernelCapabilities caps = KernelCapabilities.detect();
        String mounts = KernelLab.sh("sh", "-c", "awk '$3 == \"cgroup2\" {print $2}' /proc/mounts").strip();
        assertThat(mounts).as("a cgroup2 mount").isNotEmpty();
        assertThat(caps.cgroup2Mount()).get().satisfies(p -> assertThat(mounts.lines().map(Path::of)).contains(p));
        assertThat(caps.btf()).isTrue();
        assertThat(caps.kernelRelease()).isEqualTo(KernelLab.sh("uname", "-r").strip());
        assertThat(caps.hasCapability(KernelCapabilities.CAP_BPF)).isTrue();
        for (Probe p : Probe.values()) {
            assertThat(caps.support(p).state()).as(p.contractName() + ": " + caps.support(p).message())
                    .isEqualTo(NodeProbeState.DETACHED);
        }
    }

    @Test
    void withoutCapabilitiesEveryProbeIsUnsupportedWithAReason() {
        KernelLab.requireRoot();
        Path status = KernelLab.writeTemp("Name:\tx\nCapEff:\t0000000000000000\n");
        KernelCapabilities caps = KernelCapabilities.detect(Path.of("/proc/self/mountinfo"), status);
        for (Probe p : Probe.values()) {
            assertThat(caps.support(p).state()).isEqualTo(NodeProbeState.UNSUPPORTED);
            assertThat(caps.support(p).message()).contains("CAP_BPF");
        }
        // CAP_BPF + CAP_PERFMON but no CAP_NET_ADMIN: tracepoint probes work, cgroup_skb ones don't
        long bpfPerfmon = (1L << KernelCapabilities.CAP_BPF) | (1L << KernelCapabilities.CAP_PERFMON);
        caps = KernelCapabilities.detect(Path.of("/proc/self/mountinfo"),
                KernelLab.writeTemp("CapEff:\t" + Long.toHexString(bpfPerfmon) + "\n"));
        assertThat(caps.support(Probe.TCP_CONNECTIONS).state()).isEqualTo(NodeProbeState.DETACHED);
        assertThat(caps.support(Probe.DNS).state()).isEqualTo(NodeProbeState.UNSUPPORTED);
        assertThat(caps.support(Probe.DNS).message()).contains("CAP_NET_ADMIN");
    }
}
