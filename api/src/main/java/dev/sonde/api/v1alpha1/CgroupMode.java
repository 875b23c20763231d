package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How cgroups are mounted on a node; the probes need cgroup v2. */
public enum CgroupMode {
    /** cgroup v2 only, usually at /sys/fs/cgroup. */
    @JsonProperty("unified")
    UNIFIED,
    /** cgroup v1 controllers plus a v2 hierarchy, usually at /sys/fs/cgroup/unified. */
    @JsonProperty("hybrid")
    HYBRID,
    /** cgroup v1 only: no probe can attribute traffic to pods. */
    @JsonProperty("legacy")
    LEGACY
}
