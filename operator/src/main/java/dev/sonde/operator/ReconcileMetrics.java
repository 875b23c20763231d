package dev.sonde.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sonde's own reconcile metrics, next to the Java Operator SDK's: {@code sonde_operator_reconciles_total}
 * by controller and outcome, and {@code sonde_operator_reconcile_duration_seconds} by controller.
 */
@ApplicationScoped
public class ReconcileMetrics {

    private static final List<String> OUTCOMES = List.of("success", "error");

    private final MeterRegistry registry;

    public ReconcileMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Runs one reconcile, counting it as {@code success} or {@code error}. */
    public <T> T record(String controller, Supplier<T> reconcile) {
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T result = reconcile.get();
            outcome = "success";
            return result;
        } finally {
            sample.stop(Timer.builder("sonde.operator.reconcile.duration")
                    .description("Time spent in one reconcile")
                    .tag("controller", controller)
                    .register(registry));
            // both outcomes from a controller's first reconcile on, so an alert's rate() of errors sees the first one
            for (String each : OUTCOMES) {
                Counter counter = Counter.builder("sonde.operator.reconciles")
                        .description("Reconciles run")
                        .tag("controller", controller)
                        .tag("outcome", each)
                        .register(registry);
                if (each.equals(outcome)) {
                    counter.increment();
                }
            }
        }
    }

    public MeterRegistry registry() {
        return registry;
    }
}
