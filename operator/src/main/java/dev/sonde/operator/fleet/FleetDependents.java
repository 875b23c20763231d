package dev.sonde.operator.fleet;

import dev.sonde.operator.SondeNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Set;

/** What the agent dependents share: an informer and a mapper that only know the operator namespace. */
final class FleetDependents {

    private FleetDependents() {
    }

    /**
     * An informer on the agent objects in the operator namespace only: the primary is cluster-scoped, so the
     * default would watch every namespace, which the operator's Role (namespaced) does not allow.
     */
    static <R extends HasMetadata> InformerEventSource<R, Namespace> informer(Class<R> type, String name,
            String namespace, EventSourceContext<Namespace> context) {
        var configuration = InformerEventSourceConfiguration.from(type, Namespace.class)
                .withName(name)
                .withNamespaces(Set.of(namespace))
                .withLabelSelector(SondeNames.NAME_LABEL + "=" + SondeNames.AGENT_SELECTOR.get(SondeNames.NAME_LABEL))
                .withSecondaryToPrimaryMapper(toOperatorNamespace(namespace))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /** Objects in the operator namespace map to it; same-named objects of another installation map to nothing. */
    static <R extends HasMetadata> SecondaryToPrimaryMapper<R> toOperatorNamespace(String namespace) {
        Set<ResourceID> fleet = Set.of(new ResourceID(namespace));
        return object -> namespace.equals(object.getMetadata().getNamespace()) ? fleet : Set.of();
    }
}
