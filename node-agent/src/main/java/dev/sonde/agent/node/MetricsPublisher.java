package dev.sonde.agent.node;

import dev.sonde.agent.flows.FlowSeries;
import dev.sonde.agent.flows.MonitorFlows;
import dev.sonde.agent.metrics.OtlpExporters;
import dev.sonde.agent.metrics.PodSeries;
import dev.sonde.agent.metrics.SondeMetrics;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's per-pod metrics: adds each interval's counts to the per-pod series, keeps what /metrics serves, and
 * starts the OTLP exports of the monitors whose interval has come. {@link #publish} runs on one thread; what
 * {@link #scrapeable()} returns is safe to read from any.
 */
final class MetricsPublisher implements AutoCloseable {

    private final KernelProbes probes;
    private final SondeMetrics metrics;
    private final PodSeries series;
    private final FlowSeries flowSeries;
    private final OtlpExporters.Target defaultOtlp;
    private final OtlpExporters otlp = new OtlpExporters();
    private final Map<String, Instant> nextExport = new HashMap<>();
    private final long startEpochNanos;
    /** What /metrics serves, rendered only when scraped: nobody may scrape, and the text is large. */
    private volatile List<MetricData> scrapeable = List.of();

    MetricsPublisher(KernelProbes probes, SondeMetrics metrics, int maxSeries, int maxFlowSeries,
            OtlpExporters.Target defaultOtlp, Instant start) {
        this.probes = probes;
        this.metrics = metrics;
        this.series = new PodSeries(maxSeries);
        this.flowSeries = new FlowSeries(maxFlowSeries);
        this.defaultOtlp = defaultOtlp;
        this.startEpochNanos = epochNanos(start);
    }

    /** What /metrics serves now. */
    List<MetricData> scrapeable() {
        return scrapeable;
    }

    /**
     * @param deltas this interval's per-cgroup counts
     * @param flows monitor uid -> its share of this interval's flows (monitors with the flows probe)
     * @param otlpHeaders monitor uid -> its OTLP headers (credentials: never logged)
     * @param zone this node's zone, or null
     */
    void publish(AgentConfig config, NodeSelection selection, Map<CgroupId, ProbeCounters> deltas,
            Map<String, MonitorFlows> flows, Map<String, Long> mapFull, Map<String, Map<String, String>> otlpHeaders,
            String zone, Instant now) {
        long nowNanos = epochNanos(now);
        Set<PodSeries.Key> live = new HashSet<>();
        Set<FlowSeries.Owner> liveFlows = new HashSet<>();
        Map<String, CompiledMonitor> monitorsByUid = new HashMap<>();
        for (CompiledMonitor monitor : config.monitors()) {
            monitorsByUid.put(monitor.uid(), monitor);
            selection.podsOf(monitor.index()).forEach((uid, cgroups) -> {
                NodePod pod = selection.pods().get(uid);
                if (pod == null) {
                    return;
                }
                ProbeCounters delta = ProbeCounters.ZERO;
                for (CgroupId cgroup : cgroups) {
                    ProbeCounters d = deltas.get(cgroup);
                    if (d != null) {
                        delta = delta.plus(d);
                    }
                }
                series.add(monitor, pod, delta, nowNanos);
                live.add(new PodSeries.Key(monitor.uid(), uid));
                MonitorFlows mf = flows.get(monitor.uid());
                if (mf != null) {
                    flowSeries.add(monitor, pod, mf.byPod().getOrDefault(uid, Map.of()), nowNanos);
                    flowSeries.addRefused(monitor, pod, mf.refusedByPod().getOrDefault(uid, 0L), nowNanos);
                    liveFlows.add(new FlowSeries.Owner(monitor.uid(), uid));
                }
            });
        }
        flowSeries.endInterval(liveFlows);

        List<MetricData> scraped = new ArrayList<>();
        Map<OtlpExporters.Target, List<MetricData>> pushes = new HashMap<>();
        Set<OtlpExporters.Target> targets = new HashSet<>();
        Set<String> due = new HashSet<>();
        for (CompiledMonitor monitor : config.monitors()) {
            if (!now.isBefore(nextExport.getOrDefault(monitor.uid(), Instant.MIN))) {
                due.add(monitor.uid());
                nextExport.put(monitor.uid(), now.plusMillis(monitor.intervalMillis()));
            }
        }
        nextExport.keySet().retainAll(monitorsByUid.keySet());
        // before publishing: a series whose pod or monitor went away ends now
        series.retain(live);
        List<MetricData> withoutHeaders = new ArrayList<>();
        for (PodSeries.Series s : series.all()) {
            CompiledMonitor monitor = monitorsByUid.get(s.monitor().uid());
            Destination destination = destination(monitor, otlpHeaders);
            if (destination.target() != null) {
                targets.add(destination.target());
            }
            boolean push = destination.otlp() && due.contains(monitor.uid());
            if (!push && !monitor.export().prometheus()) {
                continue; // nobody reads this series' points this interval
            }
            List<MetricData> data = new ArrayList<>(metrics.series(s, zone, nowNanos));
            if (MonitorFlows.flowsOf(monitor) != null) {
                String podUid = s.pod().uid();
                data.addAll(metrics.flows(metrics.resource(monitor, s.pod(), zone),
                        flowSeries.of(monitor.uid(), podUid), flowSeries.refusedFlows(monitor.uid(), podUid),
                        flowSeries.refusedSince(monitor.uid(), podUid, s.startEpochNanos()), zone, nowNanos));
            }
            if (monitor.export().prometheus()) {
                scraped.addAll(data);
            }
            if (push && destination.target() != null) {
                pushes.computeIfAbsent(destination.target(), t -> new ArrayList<>()).addAll(data);
            } else if (push) {
                withoutHeaders.addAll(data);
            }
        }
        metrics.endFlowInterval();
        pushes.forEach(otlp::export);
        if (!withoutHeaders.isEmpty()) {
            otlp.dropWithoutHeaders(withoutHeaders);
        }
        otlp.retain(targets);

        Map<String, Integer> capacity = Map.of("selected_cgroups", probes.config().maxSelectedCgroups(),
                "metrics", probes.config().maxMetricEntries(), "flows", probes.config().maxFlows());
        Map<String, Integer> entries = Map.of("selected_cgroups", probes.selection().size(),
                "metrics", probes.metricEntries(), "flows", probes.flowEntries());
        scraped.addAll(metrics.agent(new SondeMetrics.AgentStats(startEpochNanos, probes.programs(),
                mapFull, entries, capacity, series.size(), series.refused(), otlp.exported(),
                otlp.dropped(), otlp.droppedWithoutHeaders(), flowSeries.size(), flowSeries.refused()), nowNanos));
        scrapeable = List.copyOf(scraped);
    }

    /**
     * Where a monitor's OTLP points go: {@link #NOWHERE} without OTLP, {@link #WITHHELD} while it needs headers the
     * operator has not copied (yet), so they are dropped rather than sent without them, else {@code target}.
     */
    private record Destination(boolean otlp, OtlpExporters.Target target) {
        static final Destination NOWHERE = new Destination(false, null);
        static final Destination WITHHELD = new Destination(true, null);

        Destination(OtlpExporters.Target target) {
            this(true, target);
        }
    }

    private Destination destination(CompiledMonitor monitor, Map<String, Map<String, String>> otlpHeaders) {
        CompiledExport.Otlp export = monitor.export().otlp();
        if (export == null) {
            return defaultOtlp == null ? Destination.NOWHERE : new Destination(defaultOtlp);
        }
        Map<String, String> headers = Map.of();
        if (export.headersSecret() != null) {
            headers = otlpHeaders.get(monitor.uid());
            if (headers == null) {
                return Destination.WITHHELD;
            }
        }
        return new Destination(new OtlpExporters.Target(export.endpoint(), export.protocol(), headers));
    }

    static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Override
    public void close() {
        otlp.close();
    }
}
