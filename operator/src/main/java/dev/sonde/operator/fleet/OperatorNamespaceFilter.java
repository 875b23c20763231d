package dev.sonde.operator.fleet;

import dev.sonde.api.v1alpha1.SondeApi;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.processing.event.source.filter.GenericFilter;
import org.eclipse.microprofile.config.ConfigProvider;

/** Lets only the operator's own Namespace through as the AgentFleetReconciler's primary. */
public class OperatorNamespaceFilter implements GenericFilter<Namespace> {

    private final String operatorNamespace = ConfigProvider.getConfig()
            .getOptionalValue("sonde.operator.namespace", String.class).orElse(SondeApi.DEFAULT_NAMESPACE);

    @Override
    public boolean accept(Namespace namespace) {
        return operatorNamespace.equals(namespace.getMetadata().getName());
    }
}
