package dev.sonde.operator.profile;

import dev.sonde.api.v1alpha1.DurationThreshold;
import dev.sonde.api.v1alpha1.HealthThresholds;
import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfileSpec;
import dev.sonde.api.v1alpha1.ProbeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks what the operator relies on in a ProbeProfile. The API server's CEL rules catch these at apply time,
 * but only for objects written under the current CRD: objects stored before a rule existed are never
 * re-validated, and CEL's duration() is not the parser the operator uses.
 */
public final class ProfileValidator {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(10);

    private ProfileValidator() {
    }

    /** The problems found, each a sentence; empty when the profile is usable. */
    public static List<String> problems(ProbeProfileSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            return List.of("the profile has no spec");
        }
        if (spec.getProbes() == null || spec.getProbes().isEmpty()) {
            problems.add("the profile lists no probes");
        } else {
            Set<ProbeName> seen = new HashSet<>();
            for (ProbeSpec probe : spec.getProbes()) {
                if (probe.getName() == null) {
                    problems.add("a probe has no name");
                } else if (!seen.add(probe.getName())) {
                    problems.add("probe " + probe.getName() + " is listed twice");
                }
            }
        }
        if (spec.getInterval() != null) {
            KubeDuration.tryParse(spec.getInterval()).ifPresentOrElse(interval -> {
                if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
                    problems.add("interval " + spec.getInterval() + " is not between 1s and 10m");
                }
            }, () -> problems.add("interval " + spec.getInterval() + " is not a duration"));
        }
        HealthThresholds health = spec.getHealth();
        if (health != null) {
            checkDuration(problems, "connectLatencyP99", health.getConnectLatencyP99());
            checkDuration(problems, "dnsLatencyP99", health.getDnsLatencyP99());
        }
        return problems;
    }

    /** The profile's interval, or the default when absent or unparsable. */
    public static Duration interval(ProbeProfileSpec spec) {
        return spec == null ? DEFAULT_INTERVAL : KubeDuration.tryParse(spec.getInterval()).orElse(DEFAULT_INTERVAL);
    }

    private static void checkDuration(List<String> problems, String name, DurationThreshold threshold) {
        if (threshold == null) {
            return;
        }
        Duration degraded = parse(problems, name + ".degraded", threshold.getDegraded());
        Duration critical = parse(problems, name + ".critical", threshold.getCritical());
        if (degraded != null && critical != null && degraded.compareTo(critical) > 0) {
            problems.add("health." + name + ": degraded " + threshold.getDegraded() + " is above critical "
                    + threshold.getCritical());
        }
    }

    private static Duration parse(List<String> problems, String field, String text) {
        if (text == null) {
            return null;
        }
        Duration duration = KubeDuration.tryParse(text).orElse(null);
        if (duration == null) {
            problems.add("health." + field + " " + text + " is not a duration");
        }
        return duration;
    }
}
