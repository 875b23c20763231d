package dev.sonde.operator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Meter filters (Quarkus applies every produced {@link MeterFilter} to the Prometheus registry) that make the
 * meters of the Java Operator SDK and of the JVM and Netty binders valid Prometheus families, so that
 * {@code promtool check metrics} passes on the operator's {@code /metrics}. Sonde's own meters need none of them.
 */
@Singleton
public class PrometheusMeterFilters {

    static final String SDK_PREFIX = "operator.sdk.";
    static final String SDK_EXECUTION = SDK_PREFIX + "controllers.execution.";

    /** Reconcile and cleanup duration buckets, in place of the SDK's client-side quantiles. */
    static final List<Duration> EXECUTION_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10000, 30000).map(Duration::ofMillis).toList();

    /**
     * HELP text for the meters whose binders register none (Prometheus wants one per family). Keys are meter
     * names, or prefixes ending in '.' for the SDK's per-controller gauges ({@code ...executions.<controller>}).
     */
    static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(SDK_EXECUTION + "reconcile", "Time per reconcile, by controller and resource"),
            Map.entry(SDK_EXECUTION + "reconcile.success", "Reconciles that returned, by controller and kind of result"),
            Map.entry(SDK_EXECUTION + "reconcile.failure", "Reconciles that threw, by controller and exception"),
            Map.entry(SDK_EXECUTION + "cleanup", "Time per cleanup of a deleted resource, by controller and resource"),
            Map.entry(SDK_EXECUTION + "cleanup.success", "Cleanups that returned, by controller and kind of result"),
            Map.entry(SDK_EXECUTION + "cleanup.failure", "Cleanups that threw, by controller and exception"),
            Map.entry(SDK_PREFIX + "events.received", "Events received for a resource, by event type and action"),
            Map.entry(SDK_PREFIX + "events.delete", "Deleted resources whose cleanup finished"),
            Map.entry(SDK_PREFIX + "reconciliations.started", "Reconciliations started, by retry attempt"),
            Map.entry(SDK_PREFIX + "reconciliations.success", "Reconciliations that succeeded"),
            Map.entry(SDK_PREFIX + "reconciliations.failed", "Reconciliations that failed, by exception"),
            Map.entry(SDK_PREFIX + "reconciliations.executions.", "Reconciliations of the controller running now"),
            Map.entry(SDK_PREFIX + "reconciliations.queue.size.",
                    "Reconciliations of the controller queued or running"),
            Map.entry("netty.allocator.memory.used", "Memory a Netty allocator holds, by memory type (bytes)"),
            Map.entry("netty.allocator.memory.pinned", "Memory of a Netty allocator pinned by buffers in use (bytes)"),
            Map.entry("netty.allocator.pooled.arenas", "Arenas of a pooled Netty allocator, by memory type"),
            Map.entry("netty.allocator.pooled.cache.size", "Cache size of a pooled Netty allocator, by cache type"),
            Map.entry("netty.allocator.pooled.chunk.size", "Chunk size of a pooled Netty allocator (bytes)"),
            Map.entry("netty.allocator.pooled.threadlocal.caches", "Thread-local caches of a pooled Netty allocator"),
            Map.entry("netty.eventexecutor.tasks.pending", "Tasks waiting in a Netty event executor"));

    /**
     * The SDK leaves a tag out when its value is empty (the namespace of a cluster-scoped resource, the group of a
     * core kind, the action of a non-resource event). The Prometheus registry wants one label set per family and
     * silently drops every meter that differs from the first one registered, so without this the reconcile
     * durations of all but one controller were missing. Absent tags become empty labels (which Prometheus treats
     * as absent).
     */
    @Produces
    @Singleton
    public MeterFilter sdkOneLabelSetPerFamily() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(SDK_PREFIX) ? withAllSdkTags(id) : id;
            }
        };
    }

    /**
     * The SDK's reconcile and cleanup timers publish client-side quantiles and a ~70-bucket percentile histogram per
     * resource; the Prometheus registry writes the quantiles into the histogram family as a {@code quantile} label,
     * which is invalid. Fixed buckets instead: a valid histogram that aggregates across resources and replicas.
     */
    @Produces
    @Singleton
    public MeterFilter sdkExecutionHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().startsWith(SDK_EXECUTION) || id.getType() != Meter.Type.TIMER) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentiles(new double[0])
                        .percentilesHistogram(false)
                        .serviceLevelObjectives(EXECUTION_BUCKETS.stream().mapToDouble(Duration::toNanos).toArray())
                        .build()
                        .merge(config);
            }
        };
    }

    /** HELP text from {@link #DESCRIPTIONS} for meters registered without a description. */
    @Produces
    @Singleton
    public MeterFilter descriptions() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank()) {
                    return id;
                }
                String description = description(id.getName());
                return description == null ? id
                        : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
                                id.getType());
            }
        };
    }

    /**
     * Micrometer's processor binder names the JVM's processor count {@code system.cpu.count}, which Prometheus reads
     * as the {@code _count} of a histogram or summary: it becomes {@code jvm.available.processors}.
     */
    @Produces
    @Singleton
    public MeterFilter processorCountName() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("jvm.available.processors") : id;
            }
        };
    }

    /**
     * The processor binder's {@code process.cpu.time} counts nanoseconds ({@code process_cpu_time_ns_total});
     * {@link ProcessCpuMetrics} publishes the same as {@code process_cpu_seconds_total}, the name Prometheus'
     * client libraries use.
     */
    @Produces
    @Singleton
    public MeterFilter processCpuTimeInSeconds() {
        return MeterFilter.deny(id -> id.getName().equals("process.cpu.time"));
    }

    static String description(String name) {
        String exact = DESCRIPTIONS.get(name);
        if (exact != null) {
            return exact;
        }
        return DESCRIPTIONS.entrySet().stream()
                .filter(e -> e.getKey().endsWith(".") && name.startsWith(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** The SDK's resource tags are prefixed with {@code resource.} on the timers and unprefixed on the counters. */
    static Meter.Id withAllSdkTags(Meter.Id id) {
        Meter.Id out = id;
        for (String prefix : List.of("", "resource.")) {
            if (id.getTag(prefix + "scope") != null) {
                for (String key : List.of("namespace", "group", "version", "kind")) {
                    out = withTagIfAbsent(out, prefix + key);
                }
            }
        }
        if (id.getName().equals(SDK_PREFIX + "events.received")) {
            out = withTagIfAbsent(out, "action");
        }
        return out;
    }

    private static Meter.Id withTagIfAbsent(Meter.Id id, String key) {
        return id.getTag(key) != null ? id : id.withTag(Tag.of(key, ""));
    }
}
