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

/** Parameters of the dns probe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsProbeParameters {

    @JsonPropertyDescription("UDP server ports whose traffic is parsed as DNS (DNS over TCP is not parsed). A pod selected by several monitors is parsed on the union of their ports. Default: [53].")
    @Default("[53]")
    @Size(min = 1, max = 8)
    @ValidationRule(value = "self.all(p, self.exists_one(q, q == p))", message = "each DNS port may be listed only once")
    private List<@Min(1) @Max(65535) Integer> ports;

    public DnsProbeParameters() {
    }

    public DnsProbeParameters(List<Integer> ports) {
        this.ports = ports;
    }

    public List<Integer> getPorts() {
        return ports;
    }

    public void setPorts(List<Integer> ports) {
        this.ports = ports;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsProbeParameters that && Objects.equals(ports, that.ports);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(ports);
    }
}
