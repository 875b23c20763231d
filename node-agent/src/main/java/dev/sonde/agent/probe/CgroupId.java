package dev.sonde.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cgroup v2 id: the inode number of the cgroup's directory, what the kernel's kernfs id is. */
public record CgroupId(long id) {
    /** Node-level entries: events without a (full) socket, e.g. drops of packets no socket owns. */
    public static final CgroupId NODE = new CgroupId(0);

    public static CgroupId of(Path cgroupDir) {
        try {
            return new CgroupId(((Number) Files.getAttribute(cgroupDir, "unix:ino")).longValue());
        } catch (IOException e) {
            throw new UncheckedIOException("cgroup id of " + cgroupDir, e);
        }
    }
}
