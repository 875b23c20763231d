package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the node's kernel offers the probes, as the agent found it at start. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KernelFacts {

    @JsonPropertyDescription("Kernel release, as uname -r prints it, e.g. 6.1.0-18-amd64.")
    private String release;

    @JsonPropertyDescription("Whether kernel BTF is available at /sys/kernel/btf/vmlinux (CO-RE needs it).")
    private Boolean btf;

    @JsonPropertyDescription("How cgroups are mounted: unified (v2 only), hybrid (v1 plus v2) or legacy (v1 only).")
    private CgroupMode cgroupMode;

    @JsonPropertyDescription("Where the cgroup v2 hierarchy is mounted, e.g. /sys/fs/cgroup.")
    private String cgroupV2Path;

    @JsonPropertyDescription("The agent's effective capabilities that matter to BPF, e.g. CAP_BPF, CAP_PERFMON, "
            + "CAP_NET_ADMIN, CAP_SYS_ADMIN.")
    private List<String> capabilities = new ArrayList<>();


    public String getRelease() {
        return release;
    }

    public void setRelease(String release) {
        this.release = release;
    }

    public Boolean getBtf() {
        return btf;
    }

    public void setBtf(Boolean btf) {
        this.btf = btf;
    }

    public CgroupMode getCgroupMode() {
        return cgroupMode;
    }

    public void setCgroupMode(CgroupMode cgroupMode) {
        this.cgroupMode = cgroupMode;
    }

    public String getCgroupV2Path() {
        return cgroupV2Path;
    }

    public void setCgroupV2Path(String cgroupV2Path) {
        this.cgroupV2Path = cgroupV2Path;
    }

    public List<String> getCapabilities() {
        return capabilities;
    }

    public void setCapabilities(List<String> capabilities) {
        this.capabilities = capabilities;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelFacts that
                && Objects.equals(release, that.release)
                && Objects.equals(btf, that.btf)
                && Objects.equals(cgroupMode, that.cgroupMode)
                && Objects.equals(cgroupV2Path, that.cgroupV2Path)
                && Objects.equals(capabilities, that.capabilities);
    }

    @Override
    public int hashCode() {
        return Objects.hash(release, btf, cgroupMode, cgroupV2Path, capabilities);
    }
}
