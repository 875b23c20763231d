package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.profile.ProfileValidator;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.Collection;
import java.util.List;

/**
 * Whether a NetworkMonitor can run: its profile resolves and is valid, and its namespaceSelector is allowed.
 * Shared by the monitor's status and the compiled agent config, so both judge alike.
 */
public sealed interface MonitorResolution {

    /**
     * The monitor can run with this profile over these namespaces.
     *
     * @param trusted the monitor's namespace is one the operator trusts: its namespaceSelector is honoured and its
     *     flows show every peer in full
     */
    record Accepted(ProbeProfile profile, List<String> namespaces, boolean trusted) implements MonitorResolution {
    }

    /** The monitor can't run; {@code reason} is its Ready=False reason. */
    record Rejected(String reason, String message) implements MonitorResolution {
    }

    static MonitorResolution resolve(NetworkMonitor monitor, ProbeProfile profile, Collection<String> trusted,
            Collection<Namespace> namespaces) {
        String profileName = monitor.getSpec().getProfile();
        if (profile == null || profile.getMetadata().getDeletionTimestamp() != null) {
            return new Rejected(Reasons.PROFILE_NOT_FOUND, "ProbeProfile " + profileName + " does not exist");
        }
        List<String> problems = ProfileValidator.problems(profile.getSpec());
        if (!problems.isEmpty()) {
            return new Rejected(Reasons.PROFILE_INVALID,
                    "ProbeProfile " + profileName + " is invalid: " + String.join("; ", problems));
        }
        String namespace = monitor.getMetadata().getNamespace();
        if (!NamespaceSelectorResolver.allowed(namespace, monitor.getSpec().getNamespaceSelector(), trusted)) {
            return new Rejected(Reasons.NAMESPACE_SELECTOR_FORBIDDEN, "namespaceSelector is only honoured in the "
                    + "namespaces the operator trusts (" + String.join(", ", trusted) + "), not in " + namespace);
        }
        return new Accepted(profile,
                NamespaceSelectorResolver.namespaces(namespace, monitor.getSpec().getNamespaceSelector(), namespaces),
                NamespaceSelectorResolver.trusted(namespace, trusted));
    }
}
