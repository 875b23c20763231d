package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** A named set of address ranges outside the cluster: flows to them are one peer, never a raw IP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalPeerGroup {

    @JsonPropertyDescription("The peer's name in metrics and status (sonde.peer.name), e.g. corporate-vpn.")
    @Required
    @Size(min = 1, max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    private String name;

    @JsonPropertyDescription("IPv4 or IPv6 ranges in CIDR notation, e.g. 203.0.113.0/24. An address in several groups "
            + "belongs to the one with the longest matching prefix.")
    @Required
    @Size(min = 1, max = 32)
    @ValidationRule(value = "self.all(c, isCIDR(c))", message = "each entry must be a CIDR, e.g. 203.0.113.0/24")
    private List<@Size(max = 49) String> cidrs;

    public ExternalPeerGroup() {
    }

    public ExternalPeerGroup(String name, List<String> cidrs) {
        this.name = name;
        this.cidrs = cidrs;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getCidrs() {
        return cidrs;
    }

    public void setCidrs(List<String> cidrs) {
        this.cidrs = cidrs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExternalPeerGroup that && Objects.equals(name, that.name) && Objects.equals(cidrs, that.cidrs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, cidrs);
    }
}
