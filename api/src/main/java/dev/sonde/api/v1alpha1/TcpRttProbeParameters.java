package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** Parameters of the tcpRtt probe. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TcpRttProbeParameters {

    @JsonPropertyDescription("Record one RTT sample in every N the kernel produces (one per received ACK), per CPU. 1 "
            + "records all of them; a larger N lowers the overhead on busy nodes. Default: 1.")
    @Default("1")
    @Min(1)
    @Max(1024)
    private Integer sampleEvery;

    public TcpRttProbeParameters() {
    }

    public TcpRttProbeParameters(Integer sampleEvery) {
        this.sampleEvery = sampleEvery;
    }

    public Integer getSampleEvery() {
        return sampleEvery;
    }

    public void setSampleEvery(Integer sampleEvery) {
        this.sampleEvery = sampleEvery;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpRttProbeParameters that && Objects.equals(sampleEvery, that.sampleEvery);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(sampleEvery);
    }
}
