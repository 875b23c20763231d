package dev.sonde.agent.pods;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.probe.CgroupId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real inotify watches on real directories (a temporary directory stands in for the cgroup tree). */
class PodCgroupWatchTest {

    private static final String UID = "3f1c2a9e-5b7d-4c1e-9a2b-0d8e7f6a5b4c";
    private static final Duration EVENT_WAIT = Duration.ofSeconds(10);

    @Test
    void aWatchedPodIsReReadOnlyWhenOneOfItsCgroupsAppearsOrGoes(@TempDir Path root) throws Exception {
        Path pod = Files.createDirectories(root.resolve("kubepods/besteffort/pod" + UID));
        Path app = Files.createDirectories(pod.resolve("cri-containerd-" + "a".repeat(64) + ".scope"));
        Instant t = Instant.parse("2026-12-04T00:00:00Z");
        try (PodCgroupWatch watch = new PodCgroupWatch(new PodCgroupResolver(root, List.of("/")))) {
            assertThat(watch.due(t)).as("the first call").isTrue();
            assertThat(watch.resolve(UID, QosClass.BEST_EFFORT).ids()).containsExactlyInAnyOrder(inode(pod),
                    inode(app));
            assertThat(watch.watchedPods()).isEqualTo(1);

            // Nothing changed: not due, even after the unwatched pods' interval, until the full rescan.
            Instant later = t.plus(PodCgroupWatch.UNWATCHED_RESCAN.multipliedBy(5));
            assertThat(watch.due(later)).isFalse();

            Path sidecar = Files.createDirectories(pod.resolve("cri-containerd-" + "b".repeat(64) + ".scope"));
            awaitDue(watch, later);
            assertThat(watch.resolve(UID, QosClass.BEST_EFFORT).ids()).as("after the sidecar's cgroup appeared")
                    .containsExactlyInAnyOrder(inode(pod), inode(app), inode(sidecar));

            // A cgroup nested in a container is watched too (systemd in a container).
            Path nested = Files.createDirectories(sidecar.resolve("init.scope"));
            awaitDue(watch, later);
            assertThat(watch.resolve(UID, QosClass.BEST_EFFORT).ids()).contains(inode(nested));

            CgroupId gone = inode(app);
            Files.delete(app);
            awaitDue(watch, later);
            assertThat(watch.resolve(UID, QosClass.BEST_EFFORT).ids()).doesNotContain(gone).contains(inode(sidecar));
            assertThat(watch.due(later)).isFalse();
        }
    }

    @Test
    void everyPodIsReReadAtTheFullRescan(@TempDir Path root) throws Exception {
        Path pod = Files.createDirectories(root.resolve("kubepods/pod" + UID));
        Instant t = Instant.parse("2026-12-04T00:00:00Z");
        try (PodCgroupWatch watch = new PodCgroupWatch(new PodCgroupResolver(root, List.of("/")))) {
            watch.due(t);
            watch.resolve(UID, QosClass.GUARANTEED);
            assertThat(watch.due(t.plusSeconds(1))).isFalse();
            assertThat(watch.due(t.plus(PodCgroupWatch.FULL_RESCAN))).isTrue();
            assertThat(watch.resolve(UID, QosClass.GUARANTEED).ids()).containsExactly(inode(pod));
        }
    }

    @Test
    void aPodWithoutItsDirectoryYetIsReReadEverySecond(@TempDir Path root) throws Exception {
        Instant t = Instant.parse("2026-12-04T00:00:00Z");
        try (PodCgroupWatch watch = new PodCgroupWatch(new PodCgroupResolver(root, List.of("/")))) {
            watch.due(t);
            assertThat(watch.resolve(UID, QosClass.BURSTABLE).isPresent()).isFalse();
            assertThat(watch.watchedPods()).isZero();
            Path pod = Files.createDirectories(root.resolve("kubepods/burstable/pod" + UID));

            assertThat(watch.due(t.plusMillis(200))).as("within the unwatched pods' interval").isFalse();
            assertThat(watch.due(t.plus(PodCgroupWatch.UNWATCHED_RESCAN))).isTrue();
            assertThat(watch.resolve(UID, QosClass.BURSTABLE).ids()).containsExactly(inode(pod));
            assertThat(watch.watchedPods()).isEqualTo(1);
        }
    }

    @Test
    void forgetsPodsNoLongerSelected(@TempDir Path root) throws Exception {
        Path pod = Files.createDirectories(root.resolve("kubepods/pod" + UID));
        Instant t = Instant.parse("2026-12-04T00:00:00Z");
        try (PodCgroupWatch watch = new PodCgroupWatch(new PodCgroupResolver(root, List.of("/")))) {
            watch.due(t);
            watch.resolve(UID, QosClass.GUARANTEED);
            watch.retain(Set.of());
            assertThat(watch.watchedPods()).isZero();
            Files.createDirectories(pod.resolve("cri-containerd-" + "c".repeat(64) + ".scope"));
            Thread.sleep(500); // an event would be queued by now; the watch was cancelled, so none is
            assertThat(watch.due(t.plusSeconds(1))).isFalse();
        }
    }

    /** Events reach the watch service through its own thread: poll until it has queued them. */
    private static void awaitDue(PodCgroupWatch watch, Instant now) throws InterruptedException {
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (!watch.due(now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no inotify event within " + EVENT_WAIT);
            }
            Thread.sleep(20);
        }
    }

    private static CgroupId inode(Path dir) throws IOException {
        return new CgroupId(((Number) Files.getAttribute(dir, "unix:ino")).longValue());
    }
}
