package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** Parameters of the flows probe (who a selected pod talks to). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FlowsProbeParameters {

    public static final int DEFAULT_MAX_PEERS_PER_POD = 64;

    @JsonPropertyDescription("How a peer that is a pod is named: workload (default; the pods of one Deployment, "
            + "StatefulSet, ... are one peer) or pod (each pod by name, within crossNamespacePeers).")
    @Default("workload")
    private FlowAggregation aggregation;

    @JsonPropertyDescription("Flows (peer, server port, direction) one selected pod may have at a time, counted in "
            + "the kernel. Connections and datagrams to further peers are not counted per peer (they still count in "
            + "the pod's totals): the agents report them as refusedFlows and the monitor's condition PeersComplete "
            + "turns False with reason PeerBudgetExceeded. Default 64.")
    @Default("64")
    @Min(1)
    @Max(4096)
    private Integer maxPeersPerPod;

    @JsonPropertyDescription("Named address ranges outside the cluster. A peer address that is no pod, Service or "
            + "node of the cluster is named by the group with the longest matching prefix, else 'external'.")
    @Size(max = 16)
    @ValidationRule(value = "self.all(g, self.exists_one(h, h.name == g.name))",
            message = "each external group name may be used only once")
    private List<ExternalPeerGroup> externalGroups;

    @JsonPropertyDescription("What monitors outside the operator's trusted namespaces see of peers in other "
            + "namespaces: Namespace, Workload (default: namespace and workload kind/name) or Pod (also pod names). "
            + "Services are always named; pod IPs never appear. Monitors in trusted namespaces see everything.")
    @Default("Workload")
    private PeerVisibility crossNamespacePeers;

    public FlowsProbeParameters() {
    }

    public FlowAggregation getAggregation() {
        return aggregation;
    }

    public void setAggregation(FlowAggregation aggregation) {
        this.aggregation = aggregation;
    }

    public Integer getMaxPeersPerPod() {
        return maxPeersPerPod;
    }

    public void setMaxPeersPerPod(Integer maxPeersPerPod) {
        this.maxPeersPerPod = maxPeersPerPod;
    }

    public List<ExternalPeerGroup> getExternalGroups() {
        return externalGroups;
    }

    public void setExternalGroups(List<ExternalPeerGroup> externalGroups) {
        this.externalGroups = externalGroups;
    }

    public PeerVisibility getCrossNamespacePeers() {
        return crossNamespacePeers;
    }

    public void setCrossNamespacePeers(PeerVisibility crossNamespacePeers) {
        this.crossNamespacePeers = crossNamespacePeers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowsProbeParameters that && aggregation == that.aggregation
                && Objects.equals(maxPeersPerPod, that.maxPeersPerPod)
                && Objects.equals(externalGroups, that.externalGroups) && crossNamespacePeers == that.crossNamespacePeers;
    }

    @Override
    public int hashCode() {
        return Objects.hash(aggregation, maxPeersPerPod, externalGroups, crossNamespacePeers);
    }
}
