package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** What to measure and what counts as healthy; referenced by NetworkMonitors through spec.profile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(fieldPath = ".health.retransmitRatio",
        value = ProbeProfileSpec.NEEDS + "retransmitRatio) || self.probes.exists(p, p.name == 'tcpRetransmits')",
        message = "health.retransmitRatio needs the tcpRetransmits probe in probes")
@ValidationRule(fieldPath = ".health.connectFailureRatio",
        value = ProbeProfileSpec.NEEDS + "connectFailureRatio) || self.probes.exists(p, p.name == 'tcpConnections')",
        message = "health.connectFailureRatio needs the tcpConnections probe in probes")
@ValidationRule(fieldPath = ".health.connectLatencyP99",
        value = ProbeProfileSpec.NEEDS + "connectLatencyP99) || self.probes.exists(p, p.name == 'tcpConnections')",
        message = "health.connectLatencyP99 needs the tcpConnections probe in probes")
@ValidationRule(fieldPath = ".health.resetRate",
        value = ProbeProfileSpec.NEEDS + "resetRate) || self.probes.exists(p, p.name == 'tcpResets')",
        message = "health.resetRate needs the tcpResets probe in probes")
@ValidationRule(fieldPath = ".health.dropRate",
        value = ProbeProfileSpec.NEEDS + "dropRate) || self.probes.exists(p, p.name == 'packetDrops')",
        message = "health.dropRate needs the packetDrops probe in probes")
@ValidationRule(fieldPath = ".health.dnsErrorRatio",
        value = ProbeProfileSpec.NEEDS + "dnsErrorRatio) || self.probes.exists(p, p.name == 'dns')",
        message = "health.dnsErrorRatio needs the dns probe in probes")
@ValidationRule(fieldPath = ".health.dnsLatencyP99",
        value = ProbeProfileSpec.NEEDS + "dnsLatencyP99) || self.probes.exists(p, p.name == 'dns')",
        message = "health.dnsLatencyP99 needs the dns probe in probes")
public class ProbeProfileSpec {

    /** Prefix of "threshold X is absent, or its probe is listed"; the rule appends the field and the probe check. */
    static final String NEEDS = "!has(self.health) || !has(self.health.";

    @JsonPropertyDescription("The probes to run for monitors using this profile, each at most once.")
    @Required
    @Size(min = 1, max = 8)
    @ValidationRule(value = "self.all(p, self.exists_one(q, q.name == p.name))",
            message = "each probe may be listed only once")
    private List<ProbeSpec> probes;

    @JsonPropertyDescription("How often the agents aggregate, export and report, between 1s and 10m. Default: 15s.")
    @Default("15s")
    @Size(max = 32)
    @ValidationRule(
            value = Validation.IS_DURATION + " && duration(self) >= duration('1s') && duration(self) <= duration('10m')",
            message = "interval must be a duration between 1s and 10m, such as 15s or 1m30s")
    private String interval;

    @JsonPropertyDescription("Thresholds that make a monitor Degraded or Critical. Absent: every monitor is Healthy "
            + "while it reports.")
    private HealthThresholds health;

    public List<ProbeSpec> getProbes() {
        return probes;
    }

    public void setProbes(List<ProbeSpec> probes) {
        this.probes = probes;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public HealthThresholds getHealth() {
        return health;
    }

    public void setHealth(HealthThresholds health) {
        this.health = health;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeProfileSpec that
                && Objects.equals(probes, that.probes)
                && Objects.equals(interval, that.interval)
                && Objects.equals(health, that.health);
    }

    @Override
    public int hashCode() {
        return Objects.hash(probes, interval, health);
    }
}
