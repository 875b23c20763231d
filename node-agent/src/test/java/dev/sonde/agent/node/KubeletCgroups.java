package dev.sonde.agent.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet's part for local mode: creates a pod's cgroup (systemd driver, containerd scopes) the way the
 * kubelet would on a real node, runs processes in it, and removes what it created.
 */
final class KubeletCgroups implements AutoCloseable {

    private final Path root;
    private final List<Path> created = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    KubeletCgroups(Path cgroupRoot) {
        this.root = cgroupRoot;
    }

    /**
     * Creates the cgroup of one containerd container of a BestEffort pod, systemd driver:
     * {@code kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/cri-containerd-<id>.scope}.
     */
    Path besteffortContainer(String podUid) {
        String uid = podUid.replace('-', '_');
        Path container = root.resolve("kubepods.slice/kubepods-besteffort.slice")
                .resolve("kubepods-besteffort-pod" + uid + ".slice")
                .resolve("cri-containerd-" + randomHex(64) + ".scope");
        mkdirs(container);
        return container;
    }

    /** Starts {@code command} with its process in {@code cgroup}, so its sockets carry that cgroup. */
    Process runIn(Path cgroup, String... command) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"",
                cgroup.toString()));
        cmd.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void mkdirs(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !p.equals(root) && !Files.isDirectory(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create cgroup " + p, e);
            }
            created.add(p);
        }
    }

    private static String randomHex(int length) {
        StringBuilder hex = new StringBuilder();
        while (hex.length() < length) {
            hex.append(Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        }
        return hex.substring(0, length);
    }

    /** Kills what runs in the cgroups and removes them, deepest first (a cgroup must be empty to go). */
    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (Path dir : created.reversed()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // A process that outlived destroyForcibly keeps the cgroup busy; leave it rather than fail the run.
                System.err.println("could not remove cgroup " + dir + ": " + e.getMessage());
            }
        }
    }
}
