package dev.sonde.agent.pods;

import dev.sonde.agent.probe.CgroupId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds a pod's cgroup directories the way the kubelet lays them out, and their cgroup ids.
 *
 * <p>Both cgroup drivers and the three QoS classes are covered, under an optional kubelet
 * {@code --cgroup-root}:
 *
 * <pre>
 * cgroupfs  kubepods/pod&lt;uid&gt;                    (Guaranteed)
 *           kubepods/burstable/pod&lt;uid&gt;          kubepods/besteffort/pod&lt;uid&gt;
 * systemd   kubepods.slice/kubepods-pod&lt;uid_&gt;.slice
 *           kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid_&gt;.slice  (and besteffort)
 * </pre>
 *
 * <p>Below the pod directory sit the containers' cgroups, whatever the runtime names them
 * ({@code cri-containerd-<id>.scope}, {@code crio-<id>.scope}, {@code docker-<id>.scope}, or a bare id
 * with cgroupfs). Sockets carry the cgroup of the process that created them, usually a container's, so
 * the pod directory and every directory below it (to {@link #MAX_DEPTH}) are selected.
 */
public final class PodCgroupResolver {

    /** Containers may nest cgroups of their own (e.g. systemd in a container); deeper ones are ignored. */
    static final int MAX_DEPTH = 4;
    /**
     * Prefixes of the interface files in every cgroup directory ({@code cgroup.procs}, {@code memory.max}, ...):
     * not cgroups, so not even stat'ed. A cgroup directory holds dozens of them and the agent rescans every second.
     */
    private static final Set<String> INTERFACE_FILE_PREFIXES = Set.of("cgroup", "cpu", "cpuset", "io", "memory",
            "pids", "rdma", "hugetlb", "misc");

    private final Path cgroupRoot;
    private final List<String> kubeletRoots;

    /**
     * @param cgroupRoot the cgroup2 mount, {@code /sys/fs/cgroup} (unified) or {@code /sys/fs/cgroup/unified}
     *     (hybrid)
     * @param kubeletRoots the kubelet's {@code --cgroup-root} values to try, e.g. {@code "/"} (the default) or
     *     {@code "/kubelet"}
     */
    public PodCgroupResolver(Path cgroupRoot, List<String> kubeletRoots) {
        this.cgroupRoot = cgroupRoot;
        this.kubeletRoots = kubeletRoots.isEmpty() ? List.of("/") : List.copyOf(kubeletRoots);
    }

    public Path cgroupRoot() {
        return cgroupRoot;
    }

    /** Every directory, relative to the cgroup root, where the kubelet may have put this pod. */
    public List<Path> podDirectoryCandidates(String podUid, QosClass qos) {
        List<Path> candidates = new ArrayList<>();
        for (String root : kubeletRoots) {
            candidates.add(cgroupfsPath(root, podUid, qos));
            candidates.add(systemdPath(root, podUid, qos));
        }
        return candidates;
    }

    /** The pod's cgroup directory, if the kubelet has created it. */
    public Optional<Path> podDirectory(String podUid, QosClass qos) {
        return podDirectoryCandidates(podUid, qos).stream()
                .map(cgroupRoot::resolve)
                .filter(Files::isDirectory)
                .findFirst();
    }

    /** The pod directory and the cgroups below it, or {@link PodCgroups#absent} if the pod has none here yet. */
    public PodCgroups resolve(String podUid, QosClass qos) {
        return resolve(podUid, qos, dir -> { });
    }

    /**
     * As {@link #resolve(String, QosClass)}, telling {@code beforeListing} of each directory just before it is
     * listed: a watch registered there sees every cgroup created after the listing.
     */
    public PodCgroups resolve(String podUid, QosClass qos, Consumer<Path> beforeListing) {
        Optional<Path> podDir = podDirectory(podUid, qos);
        if (podDir.isEmpty()) {
            return PodCgroups.absent(podUid);
        }
        Set<CgroupId> ids = new LinkedHashSet<>();
        try {
            collect(podDir.get(), MAX_DEPTH, ids, beforeListing);
        } catch (NoSuchFileException e) {
            // The pod (or a container) went away while we walked: what we saw so far is what there is.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the cgroups of pod " + podUid + " in " + podDir.get(), e);
        }
        return new PodCgroups(podUid, podDir, Set.copyOf(ids));
    }

    /** {@code dir}'s id and those of the cgroups below it, {@code depth} levels down. */
    private static void collect(Path dir, int depth, Set<CgroupId> ids, Consumer<Path> beforeListing)
            throws IOException {
        idOf(dir).ifPresent(ids::add);
        if (depth == 0) {
            return;
        }
        beforeListing.accept(dir);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, PodCgroupResolver::mayBeCgroup)) {
            for (Path child : children) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    collect(child, depth - 1, ids, beforeListing);
                }
            }
        } catch (NoSuchFileException e) {
            // a container went away while we walked
        }
    }

    static boolean mayBeCgroup(Path entry) {
        String name = entry.getFileName().toString();
        int dot = name.indexOf('.');
        return dot < 0 || !INTERFACE_FILE_PREFIXES.contains(name.substring(0, dot));
    }

    private static Optional<CgroupId> idOf(Path dir) {
        try {
            return Optional.of(CgroupId.of(dir));
        } catch (UncheckedIOException e) {
            return Optional.empty(); // removed between listing and stat
        }
    }

    static Path cgroupfsPath(String kubeletRoot, String podUid, QosClass qos) {
        Path path = Path.of(kubeletRoot.equals("/") ? "" : stripSlashes(kubeletRoot)).resolve("kubepods");
        if (qos != QosClass.GUARANTEED) {
            path = path.resolve(qos.cgroupName());
        }
        return path.resolve("pod" + podUid);
    }

    /**
     * systemd encodes the hierarchy in the slice name: {@code a-b-c.slice} lives in {@code a.slice/a-b.slice/}. The
     * kubelet escapes the pod UID's dashes as underscores.
     */
    static Path systemdPath(String kubeletRoot, String podUid, QosClass qos) {
        List<String> parts = new ArrayList<>();
        for (String part : stripSlashes(kubeletRoot).split("/")) {
            if (!part.isEmpty()) {
                parts.add(part.replace(".slice", ""));
            }
        }
        parts.add("kubepods");
        if (qos != QosClass.GUARANTEED) {
            parts.add(qos.cgroupName());
        }
        parts.add("pod" + podUid.replace('-', '_'));
        Path path = Path.of("");
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            if (!name.isEmpty()) {
                name.append('-');
            }
            name.append(part);
            path = path.resolve(name + ".slice");
        }
        return path;
    }

    private static String stripSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /** The pod QoS classes, as {@code status.qosClass} names them and as the kubelet names their cgroups. */
    public enum QosClass {
        GUARANTEED("Guaranteed", ""),
        BURSTABLE("Burstable", "burstable"),
        BEST_EFFORT("BestEffort", "besteffort");

        private final String apiName;
        private final String cgroupName;

        QosClass(String apiName, String cgroupName) {
            this.apiName = apiName;
            this.cgroupName = cgroupName;
        }

        String cgroupName() {
            return cgroupName;
        }

        /** From {@code pod.status.qosClass}; a pod the API server has not classified yet is BestEffort at worst. */
        public static QosClass fromStatus(String qosClass) {
            for (QosClass value : values()) {
                if (value.apiName.equalsIgnoreCase(qosClass == null ? "" : qosClass.strip())) {
                    return value;
                }
            }
            return BEST_EFFORT;
        }

        @Override
        public String toString() {
            return apiName.toLowerCase(Locale.ROOT);
        }
    }
}
