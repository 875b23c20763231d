package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelCapabilitiesTest {
    private static final String HYBRID = """
            25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 25 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755
            27 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
            28 26 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
            """;
    private static final String UNIFIED = """
            25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate
            90 26 0:24 /kubepods /run/other\\040dir rw,relatime - cgroup2 cgroup2 rw
            """;

    @Test
    void findsHybridCgroup2Mount() {
        assertThat(KernelCapabilities.cgroup2Mount(HYBRID)).contains(Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void prefersUnifiedMountOverOthers() {
        assertThat(KernelCapabilities.cgroup2Mount(UNIFIED)).contains(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void noCgroup2IsEmpty() {
        assertThat(KernelCapabilities.cgroup2Mount("25 30 0:23 / /sys rw - sysfs sysfs rw\n")).isEmpty();
    }

    @Test
    void parsesEffectiveCapabilities() {
        long caps = KernelCapabilities.capEff("Name:\tx\nCapPrm:\t0000000000000000\nCapEff:\t000001fffeffffff\n");
        assertThat(caps).isEqualTo(0x000001fffeffffffL);
        assertThat(caps & (1L << KernelCapabilities.CAP_BPF)).isNotZero();
        assertThat(KernelCapabilities.capEff("CapEff:\t0000000000001000\n") & (1L << KernelCapabilities.CAP_NET_ADMIN)).isNotZero();
    }
}
