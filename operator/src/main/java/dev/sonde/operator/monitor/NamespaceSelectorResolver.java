package dev.sonde.operator.monitor;

import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.Collection;
import java.util.List;

/** The tenancy rule and the namespaces a monitor's pods may come from. */
public final class NamespaceSelectorResolver {

    private NamespaceSelectorResolver() {
    }

    /** A namespaceSelector is honoured only for monitors in a trusted namespace. */
    public static boolean allowed(String monitorNamespace, LabelSelector namespaceSelector, Collection<String> trusted) {
        return namespaceSelector == null || trusted(monitorNamespace, trusted);
    }

    /** Whether a monitor in this namespace is trusted: with a namespaceSelector, and with every flow peer in full. */
    public static boolean trusted(String monitorNamespace, Collection<String> trusted) {
        return trusted.contains(monitorNamespace);
    }

    /**
     * The namespaces whose pods the monitor may select, sorted: its own without a namespaceSelector, else the
     * existing, not terminating namespaces whose labels match.
     */
    public static List<String> namespaces(String monitorNamespace, LabelSelector namespaceSelector,
            Collection<Namespace> namespaces) {
        if (namespaceSelector == null) {
            return List.of(monitorNamespace);
        }
        CompiledSelector selector = CompiledSelector.from(namespaceSelector);
        return namespaces.stream()
                .filter(ns -> ns.getMetadata().getDeletionTimestamp() == null)
                .filter(ns -> selector.matches(ns.getMetadata().getLabels()))
                .map(ns -> ns.getMetadata().getName())
                .sorted()
                .distinct()
                .toList();
    }
}
