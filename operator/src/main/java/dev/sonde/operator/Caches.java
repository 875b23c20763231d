package dev.sonde.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads a controller's informer caches directly, for secondaries that are not one-to-one with the primary. */
public final class Caches {

    private Caches() {
    }

    /** Everything the controller's informer of this type holds. */
    public static <R extends HasMetadata> Stream<R> all(Context<?> context, Class<R> type) {
        return informer(context, type).list(r -> true);
    }

    /** One object from the controller's informer of this type. */
    public static <R extends HasMetadata> Optional<R> get(Context<?> context, Class<R> type, String name,
            String namespace) {
        return informer(context, type).get(new ResourceID(name, namespace));
    }

    /** The objects of this type whose index {@code index} (added to the controller's informer) holds {@code key}. */
    public static <R extends HasMetadata> Stream<R> byIndex(Context<?> context, Class<R> type, String index,
            String key) {
        return informer(context, type).byIndex(index, key).stream();
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> InformerEventSource<R, ?> informer(Context<?> context, Class<R> type) {
        return (InformerEventSource<R, ?>) context.eventSourceRetriever().getEventSourceFor(type);
    }
}
