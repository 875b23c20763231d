package dev.sonde.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.CgroupId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodCgroupResolverTest {

    private static final String UID = "3f1c2a9e-5b7d-4c1e-9a2b-0d8e7f6a5b4c";

    @ParameterizedTest(name = "{0} {1} under {2}")
    @CsvSource({
        // driver, qos, kubelet root, expected pod directory
        "cgroupfs, Guaranteed, /, kubepods/pod" + UID,
        "cgroupfs, Burstable, /, kubepods/burstable/pod" + UID,
        "cgroupfs, BestEffort, /, kubepods/besteffort/pod" + UID,
        "systemd, Guaranteed, /, kubepods.slice/kubepods-pod3f1c2a9e_5b7d_4c1e_9a2b_0d8e7f6a5b4c.slice",
        "systemd, Burstable, /, kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1c2a9e_5b7d_4c1e_9a2b_0d8e7f6a5b4c.slice",
        "systemd, BestEffort, /, kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3f1c2a9e_5b7d_4c1e_9a2b_0d8e7f6a5b4c.slice",
        "systemd, Burstable, /kubelet, kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod3f1c2a9e_5b7d_4c1e_9a2b_0d8e7f6a5b4c.slice",
        "cgroupfs, Burstable, /kubelet, kubelet/kubepods/burstable/pod" + UID,
    })
    void knowsTheKubeletLayouts(String driver, String qos, String kubeletRoot, String expected) {
        QosClass qosClass = QosClass.fromStatus(qos);
        Path path = driver.equals("systemd")
                ? PodCgroupResolver.systemdPath(kubeletRoot, UID, qosClass)
                : PodCgroupResolver.cgroupfsPath(kubeletRoot, UID, qosClass);
        assertThat(path).isEqualTo(Path.of(expected));
    }

    @Test
    void resolvesContainerdCrioAndCgroupfsContainersToTheirInodes(@TempDir Path root) throws IOException {
        Path containerd = Files.createDirectories(root.resolve(
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1c2a9e_5b7d_4c1e_9a2b_0d8e7f6a5b4c.slice"));
        Path app = Files.createDirectories(containerd.resolve("cri-containerd-" + "a".repeat(64) + ".scope"));
        Path sandbox = Files.createDirectories(containerd.resolve("cri-containerd-" + "b".repeat(64) + ".scope"));
        PodCgroupResolver resolver = new PodCgroupResolver(root, List.of("/"));

        PodCgroups pod = resolver.resolve(UID, QosClass.BURSTABLE);

        assertThat(pod.podDirectory()).contains(containerd);
        assertThat(pod.ids()).containsExactlyInAnyOrder(inode(containerd), inode(app), inode(sandbox));
        assertThat(resolver.resolve(UID, QosClass.BEST_EFFORT).isPresent()).as("other QoS class").isFalse();
    }

    @Test
    void picksUpContainersThatAppearLater(@TempDir Path root) throws IOException {
        Path pod = Files.createDirectories(root.resolve("kubepods/besteffort/pod" + UID));
        PodCgroupResolver resolver = new PodCgroupResolver(root, List.of("/"));
        assertThat(resolver.resolve(UID, QosClass.BEST_EFFORT).ids()).containsExactly(inode(pod));

        Path crio = Files.createDirectories(pod.resolve("crio-" + "c".repeat(64) + ".scope"));
        assertThat(resolver.resolve(UID, QosClass.BEST_EFFORT).ids()).containsExactlyInAnyOrder(inode(pod), inode(crio));
    }

    @Test
    void skipsInterfaceFilesButNotContainerScopesWithDots(@TempDir Path root) throws IOException {
        Path pod = Files.createDirectories(root.resolve("kubepods/besteffort/pod" + UID));
        Path scope = Files.createDirectories(pod.resolve("crio-0123abcd.scope"));
        Files.createFile(pod.resolve("cgroup.procs"));
        Files.createDirectories(pod.resolve("memory.pressure")); // never a directory in cgroupfs; proves the skip

        PodCgroups cgroups = new PodCgroupResolver(root, List.of("/")).resolve(UID, QosClass.BEST_EFFORT);

        assertThat(cgroups.ids()).containsExactlyInAnyOrder(CgroupId.of(pod), CgroupId.of(scope));
        assertThat(PodCgroupResolver.mayBeCgroup(Path.of("cri-containerd-4f.scope"))).isTrue();
        assertThat(PodCgroupResolver.mayBeCgroup(Path.of("cpu.max"))).isFalse();
        assertThat(PodCgroupResolver.mayBeCgroup(Path.of("0a1b2c3d"))).isTrue();
    }

    @Test
    void anAbsentPodHasNoCgroups(@TempDir Path root) {
        PodCgroups pod = new PodCgroupResolver(root, List.of("/")).resolve(UID, QosClass.GUARANTEED);
        assertThat(pod.isPresent()).isFalse();
        assertThat(pod.ids()).isEmpty();
    }

    @Test
    void triesEveryConfiguredKubeletRoot(@TempDir Path root) throws IOException {
        Path pod = Files.createDirectories(root.resolve("kubelet/kubepods/pod" + UID));
        PodCgroupResolver resolver = new PodCgroupResolver(root, List.of("/", "/kubelet"));
        assertThat(resolver.resolve(UID, QosClass.GUARANTEED).ids()).isEqualTo(Set.of(inode(pod)));
    }

    @Test
    void qosClassFromPodStatus() {
        assertThat(QosClass.fromStatus("Guaranteed")).isEqualTo(QosClass.GUARANTEED);
        assertThat(QosClass.fromStatus("Burstable")).isEqualTo(QosClass.BURSTABLE);
        assertThat(QosClass.fromStatus("BestEffort")).isEqualTo(QosClass.BEST_EFFORT);
        assertThat(QosClass.fromStatus(null)).isEqualTo(QosClass.BEST_EFFORT);
    }

    private static CgroupId inode(Path dir) throws IOException {
        // Ground truth from the file system, not from the code under test.
        return new CgroupId(((Number) Files.getAttribute(dir, "unix:ino")).longValue());
    }
}
