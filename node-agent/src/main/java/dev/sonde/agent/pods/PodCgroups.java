package dev.sonde.agent.pods;

import dev.sonde.agent.probe.CgroupId;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A pod's cgroups on this node: its directory and the ids of it and everything below it.
 *
 * @param podDirectory absent while the kubelet has not created the pod's cgroup (or after it removed it)
 */
public record PodCgroups(String podUid, Optional<Path> podDirectory, Set<CgroupId> ids) {

    public static PodCgroups absent(String podUid) {
        return new PodCgroups(podUid, Optional.empty(), Set.of());
    }

    public boolean isPresent() {
        return podDirectory.isPresent();
    }
}
