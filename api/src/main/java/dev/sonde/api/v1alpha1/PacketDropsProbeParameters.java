package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** Parameters of the packetDrops probe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PacketDropsProbeParameters {

    @JsonPropertyDescription("Kernel drop reasons (enum skb_drop_reason names without the SKB_DROP_REASON_ prefix, "
            + "e.g. SOCKET_RCVBUFF) that count as packet loss for health.dropRate and summary.dropsPerSecond. "
            + "Metrics keep every reason. Default: the reasons that mean loss (full queues and buffers, corrupt "
            + "packets, routing and neighbour failures, filters on the path), listed in docs/probes.md; not the "
            + "reasons of normal operation such as QUEUE_PURGE, SOCKET_CLOSE, NO_SOCKET or TCP_OLD_DATA. A reason "
            + "this node's kernel does not have matches nothing.")
    @Size(min = 1, max = 128)
    @ValidationRule(value = "self.all(r, self.exists_one(q, q == r))", message = "each drop reason may be listed only once")
    private List<@Pattern("^[A-Z][A-Z0-9_]*$") @Size(max = 63) String> lossReasons;

    public PacketDropsProbeParameters() {
    }

    public PacketDropsProbeParameters(List<String> lossReasons) {
        this.lossReasons = lossReasons;
    }

    public List<String> getLossReasons() {
        return lossReasons;
    }

    public void setLossReasons(List<String> lossReasons) {
        this.lossReasons = lossReasons;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PacketDropsProbeParameters that && Objects.equals(lossReasons, that.lossReasons);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(lossReasons);
    }
}
