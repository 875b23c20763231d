package dev.sonde.operator.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;

/**
 * {@code process_cpu_seconds_total}: CPU time the operator's JVM used, the name Prometheus' client libraries give it
 * (Micrometer's own {@code process.cpu.time} is in nanoseconds, see {@link PrometheusMeterFilters}).
 */
@Singleton
public class ProcessCpuMetrics implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time the JVM process used")
                    .register(registry);
        }
    }
}
