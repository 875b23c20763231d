package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeSpec;
import java.util.List;
import java.util.Objects;

/**
 * One probe with its parameters resolved: defaults filled in, so the agent never applies defaults itself.
 *
 * @param name the probe
 * @param dnsPorts for dns only: server ports whose traffic is parsed as DNS, ascending
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledProbe(ProbeName name, List<Integer> dnsPorts) {

    public static final List<Integer> DEFAULT_DNS_PORTS = List.of(53);

    public CompiledProbe {
        Objects.requireNonNull(name, "name");
        if (name == ProbeName.DNS) {
            dnsPorts = dnsPorts == null || dnsPorts.isEmpty() ? DEFAULT_DNS_PORTS
                    : dnsPorts.stream().distinct().sorted().toList();
        } else if (dnsPorts != null) {
            throw new IllegalArgumentException("dnsPorts only apply to the dns probe, not " + name);
        }
    }

    /** A probe with default parameters. */
    public static CompiledProbe of(ProbeName name) {
        return new CompiledProbe(name, null);
    }

    /** Resolves a ProbeProfile's probe entry. */
    public static CompiledProbe from(ProbeSpec spec) {
        List<Integer> ports = spec.getDns() == null ? null : spec.getDns().getPorts();
        return new CompiledProbe(spec.getName(), ports);
    }
}
