package dev.sonde.agent.metrics;

import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.agent.flows.FlowSeries;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.probe.FlowCounters;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelHistogram;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The contract's metrics (ARCHITECTURE.md, "Contract: metrics"; docs/metrics.md) built from the agent's series:
 * one OpenTelemetry resource per (pod, monitor) with {@code k8s.*} and {@code sonde.monitor} attributes, cumulative
 * points, and only the metrics of the probes the monitor's profile enables. Plus the agent's self-metrics. It keeps
 * the peers' attribute sets from one interval of {@link #flows} to the next, so {@code flows} and
 * {@link #endFlowInterval} are for one thread.
 */
public final class SondeMetrics {

    public static final String TCP_CONNECTIONS = "sonde.tcp.connections";
    public static final String TCP_CONNECT_FAILURES = "sonde.tcp.connect.failures";
    public static final String TCP_CONNECT_DURATION = "sonde.tcp.connect.duration";
    public static final String TCP_RETRANSMITS = "sonde.tcp.retransmits";
    public static final String TCP_SEGMENTS_SENT = "sonde.tcp.segments.sent";
    public static final String TCP_RESETS = "sonde.tcp.resets";
    public static final String TCP_RTT = "sonde.tcp.rtt";
    public static final String NETWORK_IO = "sonde.network.io";
    public static final String NETWORK_PACKETS = "sonde.network.packets";
    public static final String PACKET_DROPS = "sonde.packet.drops";
    public static final String DNS_QUERIES = "sonde.dns.queries";
    public static final String DNS_DURATION = "sonde.dns.duration";
    public static final String DNS_ERRORS = "sonde.dns.errors";

    public static final String FLOW_CONNECTIONS = "sonde.flow.connections";
    public static final String FLOW_CONNECT_FAILURES = "sonde.flow.connect.failures";
    public static final String FLOW_IO = "sonde.flow.io";
    public static final String FLOW_RETRANSMITS = "sonde.flow.retransmits";
    public static final String FLOW_RESETS = "sonde.flow.resets";
    public static final String FLOW_RTT = "sonde.flow.rtt";
    public static final String INTERZONE_IO = "sonde.network.interzone.io";
    public static final String FLOWS_REFUSED = "sonde.flow.refused";

    public static final String PROGRAM_RUNS = "sonde.agent.bpf.program.runs";
    public static final String PROGRAM_RUN_TIME = "sonde.agent.bpf.program.run_time";
    public static final String MAP_ENTRIES = "sonde.agent.bpf.map.entries";
    public static final String MAP_CAPACITY = "sonde.agent.bpf.map.capacity";
    public static final String MAP_FULL = "sonde.agent.bpf.map.full";
    public static final String SERIES = "sonde.agent.series";
    public static final String FLOW_SERIES = "sonde.agent.flow.series";
    public static final String POINTS_EXPORTED = "sonde.agent.datapoints.exported";
    public static final String POINTS_DROPPED = "sonde.agent.datapoints.dropped";

    static final AttributeKey<String> NODE = AttributeKey.stringKey("k8s.node.name");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("k8s.namespace.name");
    static final AttributeKey<String> POD = AttributeKey.stringKey("k8s.pod.name");
    static final AttributeKey<String> POD_UID = AttributeKey.stringKey("k8s.pod.uid");
    static final AttributeKey<String> MONITOR = AttributeKey.stringKey("sonde.monitor");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
    static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("direction");
    static final AttributeKey<String> IO_DIRECTION = AttributeKey.stringKey("network.io.direction");
    static final AttributeKey<String> DROP_REASON = AttributeKey.stringKey("drop.reason");
    static final AttributeKey<String> RCODE = AttributeKey.stringKey("dns.rcode");
    static final AttributeKey<String> PROGRAM = AttributeKey.stringKey("bpf.program");
    static final AttributeKey<String> MAP = AttributeKey.stringKey("bpf.map");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    static final AttributeKey<String> ZONE = AttributeKey.stringKey("cloud.availability_zone");
    static final AttributeKey<String> FLOW_DIRECTION = AttributeKey.stringKey("sonde.flow.direction");
    static final AttributeKey<String> PEER_KIND = AttributeKey.stringKey("sonde.peer.kind");
    static final AttributeKey<String> PEER_NAMESPACE = AttributeKey.stringKey("sonde.peer.namespace");
    static final AttributeKey<String> PEER_NAME = AttributeKey.stringKey("sonde.peer.name");
    static final AttributeKey<String> PEER_WORKLOAD_KIND = AttributeKey.stringKey("sonde.peer.workload.kind");
    static final AttributeKey<String> PEER_WORKLOAD_NAME = AttributeKey.stringKey("sonde.peer.workload.name");
    static final AttributeKey<String> PEER_BACKEND = AttributeKey.stringKey("sonde.peer.backend.name");
    static final AttributeKey<String> PEER_ZONE = AttributeKey.stringKey("sonde.peer.zone");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("network.transport");

    /** Upper bounds of the kernel's log2 microsecond buckets in seconds: 1 µs, 2 µs, ... 2^30 µs; then +Inf. */
    static final List<Double> BOUNDARIES_SECONDS = java.util.stream.IntStream.range(0, KernelHistogram.BUCKETS - 1)
            .mapToObj(i -> (1L << i) / 1e6).toList();

    private static final Map<Integer, String> RCODES = Map.ofEntries(Map.entry(1, "FORMERR"),
            Map.entry(2, "SERVFAIL"), Map.entry(3, "NXDOMAIN"), Map.entry(4, "NOTIMP"), Map.entry(5, "REFUSED"),
            Map.entry(6, "YXDOMAIN"), Map.entry(7, "YXRRSET"), Map.entry(8, "NXRRSET"), Map.entry(9, "NOTAUTH"),
            Map.entry(10, "NOTZONE"));
    /** {@code dns.rcode} of queries that got no answer within the DNS timeout. */
    static final String RCODE_TIMEOUT = "TIMEOUT";

    private final InstrumentationScopeInfo scope;
    private final String node;
    private final DropReasons dropReasons;
    private final PeerAttributes peerAttributes = new PeerAttributes();

    /**
     * @param dropReasons the kernel's {@code enum skb_drop_reason} (value -> name) from BTF; numbers are used for
     *     values it does not name
     */
    public SondeMetrics(String node, String agentVersion, DropReasons dropReasons) {
        this.scope = InstrumentationScopeInfo.builder("dev.sonde.agent").setVersion(agentVersion).build();
        this.node = node;
        this.dropReasons = dropReasons;
    }

    /** The agent's own counters at one moment, for its self-metrics. */
    public record AgentStats(long startEpochNanos, List<ProgramInfo> programs, Map<String, Long> mapFull,
            Map<String, Integer> mapEntries, Map<String, Integer> mapCapacity, int series, long refusedSeries,
            long exportedPoints, long droppedPoints, long droppedWithoutHeaders, int flowSeries,
            long refusedFlowSeries) {

        public AgentStats(long startEpochNanos, List<ProgramInfo> programs, Map<String, Long> mapFull,
                Map<String, Integer> mapEntries, Map<String, Integer> mapCapacity, int series, long refusedSeries,
                long exportedPoints, long droppedPoints) {
            this(startEpochNanos, programs, mapFull, mapEntries, mapCapacity, series, refusedSeries, exportedPoints,
                    droppedPoints, 0, 0, 0);
        }
    }

    /**
     * The resource of a (pod, monitor): the pod as OpenTelemetry's k8s conventions name it (workload and
     * service.name included), the node's zone, and the monitor.
     *
     * @param zone the node's {@code topology.kubernetes.io/zone}, or null
     */
    public Resource resource(CompiledMonitor monitor, NodePod pod, String zone) {
        var b = Attributes.builder().put(NODE, node).put(NAMESPACE, pod.namespace()).put(POD, pod.name())
                .put(POD_UID, pod.uid()).put(MONITOR, monitorName(monitor)).put(SERVICE, pod.serviceName());
        String workloadKey = pod.workload().attributeKey();
        if (workloadKey != null) {
            b.put(AttributeKey.stringKey(workloadKey), pod.workload().name());
        }
        if (zone != null) {
            b.put(ZONE, zone);
        }
        return Resource.create(b.build());
    }

    /** The per-pod metrics of one series. */
    public List<MetricData> series(PodSeries.Series series, String zone, long nowEpochNanos) {
        Resource resource = resource(series.monitor(), series.pod(), zone);
        Points p = new Points(series.startEpochNanos(), nowEpochNanos);
        ProbeCounters c = series.total();
        Set<ProbeName> probes = probes(series.monitor());
        List<MetricData> out = new ArrayList<>();
        if (probes.contains(ProbeName.TCP_CONNECTIONS)) {
            out.add(counter(resource, TCP_CONNECTIONS, "{connection}", "TCP connections opened",
                    List.of(p.longPoint(Attributes.of(DIRECTION, "active"), c.activeOpens()),
                            p.longPoint(Attributes.of(DIRECTION, "passive"), c.passiveOpens()))));
            out.add(counter(resource, TCP_CONNECT_FAILURES, "{connection}",
                    "Outbound TCP connects that failed (refused, reset or timed out before established)",
                    List.of(p.longPoint(Attributes.empty(), c.connectFailures()))));
            out.add(histogram(resource, TCP_CONNECT_DURATION, "Outbound TCP connect latency, SYN to established",
                    p.histogramPoint(c.connectLatency())));
        }
        if (probes.contains(ProbeName.TCP_RETRANSMITS)) {
            out.add(counter(resource, TCP_RETRANSMITS, "{segment}", "TCP segments retransmitted",
                    List.of(p.longPoint(Attributes.empty(), c.retransmitSegments()))));
            out.add(counter(resource, TCP_SEGMENTS_SENT, "{segment}",
                    "TCP segments sent, retransmissions not included (the retransmit ratio's denominator)",
                    List.of(p.longPoint(Attributes.empty(), c.outSegments()))));
        }
        if (probes.contains(ProbeName.TCP_RESETS)) {
            out.add(counter(resource, TCP_RESETS, "{segment}", "TCP resets sent and received",
                    List.of(p.longPoint(Attributes.of(DIRECTION, "sent"), c.resetsSent()),
                            p.longPoint(Attributes.of(DIRECTION, "received"), c.resetsReceived()))));
        }
        if (probes.contains(ProbeName.TCP_RTT)) {
            out.add(histogram(resource, TCP_RTT, "Smoothed TCP round-trip time samples", p.histogramPoint(c.rtt())));
        }
        if (probes.contains(ProbeName.TRAFFIC)) {
            out.add(counter(resource, NETWORK_IO, "By", "Bytes the pod's sockets sent and received",
                    List.of(p.longPoint(Attributes.of(IO_DIRECTION, "transmit"), c.txBytes()),
                            p.longPoint(Attributes.of(IO_DIRECTION, "receive"), c.rxBytes()))));
            out.add(counter(resource, NETWORK_PACKETS, "{packet}", "Packets the pod sent and received",
                    List.of(p.longPoint(Attributes.of(IO_DIRECTION, "transmit"), c.txPackets()),
                            p.longPoint(Attributes.of(IO_DIRECTION, "receive"), c.rxPackets()))));
        }
        if (probes.contains(ProbeName.PACKET_DROPS)) {
            List<LongPointData> drops = new ArrayList<>();
            new TreeMap<>(c.dropsByReason()).forEach((reason, count) ->
                    drops.add(p.longPoint(Attributes.of(DROP_REASON, dropReason(reason)), count)));
            out.add(counter(resource, PACKET_DROPS, "{packet}", "Packets of the pod the kernel dropped, by reason",
                    drops));
        }
        if (probes.contains(ProbeName.DNS)) {
            out.add(counter(resource, DNS_QUERIES, "{query}", "DNS queries sent",
                    List.of(p.longPoint(Attributes.empty(), c.dnsQueries()))));
            out.add(histogram(resource, DNS_DURATION, "DNS latency, query to response", p.histogramPoint(c.dnsLatency())));
            List<LongPointData> errors = new ArrayList<>();
            new TreeMap<>(c.dnsResponsesByRcode()).forEach((rcode, count) -> {
                if (rcode != ProbeCounters.RCODE_NOERROR) {
                    errors.add(p.longPoint(Attributes.of(RCODE, RCODES.getOrDefault(rcode, "RCODE" + rcode)), count));
                }
            });
            errors.add(p.longPoint(Attributes.of(RCODE, RCODE_TIMEOUT), c.dnsUnanswered()));
            out.add(counter(resource, DNS_ERRORS, "{query}",
                    "DNS queries answered with an error rcode, or unanswered (TIMEOUT)", errors));
        }
        return out;
    }

    /**
     * The flow metrics of one (pod, monitor): a point per peer and metric, each series with its own start.
     *
     * @param refusedFlows cumulative connections and datagrams of the pod its flow budget refused, since
     *     {@code refusedSince}
     * @param zone the node's zone: bytes to a peer with another known zone are also {@code sonde.network.interzone.io}
     */
    public List<MetricData> flows(Resource resource, List<FlowSeries.Series> series, long refusedFlows,
            long refusedSince, String zone, long nowEpochNanos) {
        List<LongPointData> connections = new ArrayList<>();
        List<LongPointData> failures = new ArrayList<>();
        List<LongPointData> io = new ArrayList<>();
        List<LongPointData> retransmits = new ArrayList<>();
        List<LongPointData> resets = new ArrayList<>();
        List<HistogramPointData> rtt = new ArrayList<>();
        List<LongPointData> interzone = new ArrayList<>();
        for (FlowSeries.Series s : series) {
            Points p = new Points(s.startEpochNanos(), nowEpochNanos);
            PeerAttributes.Sets peer = peerAttributes.of(s.peer());
            FlowCounters c = s.total();
            if (s.peer().transport() == FlowKey.Transport.TCP) {
                connections.add(p.longPoint(peer.peer(), c.connections()));
                if (s.peer().direction() == FlowKey.Direction.ACTIVE) {
                    failures.add(p.longPoint(peer.peer(), c.connectFailures()));
                }
                retransmits.add(p.longPoint(peer.peer(), c.retransmits()));
                resets.add(p.longPoint(peer.resetsSent(), c.resetsSent()));
                resets.add(p.longPoint(peer.resetsReceived(), c.resetsReceived()));
                if (c.rtt().total() > 0) {
                    rtt.add(p.histogramPoint(peer.peer(), c.rtt()));
                }
            }
            io.add(p.longPoint(peer.transmit(), c.bytesSent()));
            io.add(p.longPoint(peer.receive(), c.bytesReceived()));
            if (zone != null && s.peer().zone() != null && !zone.equals(s.peer().zone())) {
                interzone.add(p.longPoint(peer.transmit(), c.bytesSent()));
                interzone.add(p.longPoint(peer.receive(), c.bytesReceived()));
            }
        }
        List<MetricData> out = new ArrayList<>();
        if (!connections.isEmpty()) {
            out.add(counter(resource, FLOW_CONNECTIONS, "{connection}",
                    "TCP connections with the peer: connects that completed or failed (active), accepts (passive)",
                    connections));
            out.add(counter(resource, FLOW_RETRANSMITS, "{segment}", "TCP segments retransmitted to the peer",
                    retransmits));
            out.add(counter(resource, FLOW_RESETS, "{segment}", "TCP resets sent to and received from the peer",
                    resets));
        }
        if (!failures.isEmpty()) {
            out.add(counter(resource, FLOW_CONNECT_FAILURES, "{connection}", "Connects to the peer that failed",
                    failures));
        }
        if (!io.isEmpty()) {
            out.add(counter(resource, FLOW_IO, "By",
                    "Bytes sent to and received from the peer (TCP: what the application wrote and read; UDP: payload)",
                    io));
        }
        if (!rtt.isEmpty()) {
            out.add(new OtelData.Metric(resource, scope, FLOW_RTT, "Smoothed TCP round-trip time to the peer", "s",
                    MetricDataType.HISTOGRAM, new OtelData.Histogram(rtt)));
        }
        if (refusedFlows > 0 || !series.isEmpty()) {
            out.add(counter(resource, FLOWS_REFUSED, "{event}",
                    "TCP connections and UDP datagrams of the pod not counted per peer: the pod was at its flow budget "
                            + "(maxPeersPerPod)", List.of(new OtelData.LongPoint(refusedSince, nowEpochNanos,
                                    Attributes.empty(), refusedFlows))));
        }
        if (!interzone.isEmpty()) {
            out.add(counter(resource, INTERZONE_IO, "By", "Bytes to and from a peer in another zone", interzone));
        }
        return out;
    }

    /**
     * Ends an interval of {@link #flows}: the attribute sets of peers no series used in it or the one before are
     * dropped.
     */
    public void endFlowInterval() {
        peerAttributes.endInterval();
    }

    /** The agent's self-metrics, on a resource naming only the node. */
    public List<MetricData> agent(AgentStats stats, long nowEpochNanos) {
        Resource resource = Resource.create(Attributes.of(NODE, node, SERVICE, "sonde-agent"));
        Points p = new Points(stats.startEpochNanos(), nowEpochNanos);
        List<MetricData> out = new ArrayList<>();
        out.add(counter(resource, PROGRAM_RUNS, "{run}", "Runs of each eBPF program (kernel bpf_prog_info)",
                stats.programs().stream()
                        .map(prog -> p.longPoint(Attributes.of(PROGRAM, prog.program()), prog.runCount())).toList()));
        out.add(new OtelData.Metric(resource, scope, PROGRAM_RUN_TIME,
                "Time spent in each eBPF program; counted only while kernel.bpf_stats_enabled is 1", "s",
                MetricDataType.DOUBLE_SUM, new OtelData.Sum<>(stats.programs().stream()
                        .map(prog -> (io.opentelemetry.sdk.metrics.data.DoublePointData) new OtelData.DoublePoint(
                                p.start, p.now, Attributes.of(PROGRAM, prog.program()), prog.runTimeNs() / 1e9))
                        .toList(), true)));
        out.add(gauge(resource, MAP_ENTRIES, "{entry}", "Entries in each bounded eBPF map",
                perMap(p, stats.mapEntries())));
        out.add(gauge(resource, MAP_CAPACITY, "{entry}", "Capacity of each bounded eBPF map",
                perMap(p, stats.mapCapacity())));
        out.add(counter(resource, MAP_FULL, "{event}", "Inserts the kernel could not make because a map was full",
                stats.mapFull().entrySet().stream()
                        .map(e -> p.longPoint(Attributes.of(MAP, e.getKey()), e.getValue())).toList()));
        out.add(gauge(resource, SERIES, "{series}", "Per-pod series the agent publishes",
                List.of(p.longPoint(Attributes.empty(), stats.series()))));
        out.add(gauge(resource, FLOW_SERIES, "{series}", "Per-peer flow series the agent publishes",
                List.of(p.longPoint(Attributes.empty(), stats.flowSeries()))));
        out.add(counter(resource, POINTS_EXPORTED, "{datapoint}", "Data points the OTLP receivers accepted",
                List.of(p.longPoint(Attributes.empty(), stats.exportedPoints()))));
        out.add(counter(resource, POINTS_DROPPED, "{datapoint}",
                "Data points not delivered: OTLP export failed, the monitor's OTLP headers were missing, or a new "
                        + "series was over the series limit (per-pod or per-peer flow series)",
                List.of(p.longPoint(Attributes.of(REASON, "export_failed"), stats.droppedPoints()),
                        p.longPoint(Attributes.of(REASON, "headers_missing"), stats.droppedWithoutHeaders()),
                        p.longPoint(Attributes.of(REASON, "series_limit"), stats.refusedSeries()),
                        p.longPoint(Attributes.of(REASON, "flow_series_limit"), stats.refusedFlowSeries()))));
        return out;
    }

    /** {@code namespace/name}: a monitor's name is unique only within its namespace. */
    public static String monitorName(CompiledMonitor monitor) {
        return monitor.namespace() + "/" + monitor.name();
    }

    String dropReason(int value) {
        return dropReasons.name(value);
    }

    private static Set<ProbeName> probes(CompiledMonitor monitor) {
        return monitor.probes().stream().map(CompiledProbe::name)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ProbeName.class)));
    }

    private MetricData counter(Resource resource, String name, String unit, String description,
            List<LongPointData> points) {
        return new OtelData.Metric(resource, scope, name, description, unit, MetricDataType.LONG_SUM,
                new OtelData.Sum<>(points, true));
    }

    private static List<LongPointData> perMap(Points p, Map<String, Integer> values) {
        return new TreeMap<>(values).entrySet().stream()
                .map(e -> p.longPoint(Attributes.of(MAP, e.getKey()), e.getValue())).toList();
    }

    private MetricData gauge(Resource resource, String name, String unit, String description,
            List<LongPointData> points) {
        return new OtelData.Metric(resource, scope, name, description, unit, MetricDataType.LONG_GAUGE,
                new OtelData.Gauge<>(points));
    }

    private MetricData histogram(Resource resource, String name, String description, HistogramPointData point) {
        return new OtelData.Metric(resource, scope, name, description, "s", MetricDataType.HISTOGRAM,
                new OtelData.Histogram(List.of(point)));
    }

    /** Points of one series share its start and the export time. */
    private record Points(long start, long now) {

        LongPointData longPoint(Attributes attributes, long value) {
            return new OtelData.LongPoint(start, now, attributes, value);
        }

        HistogramPointData histogramPoint(KernelHistogram h) {
            return histogramPoint(Attributes.empty(), h);
        }

        HistogramPointData histogramPoint(Attributes attributes, KernelHistogram h) {
            List<Long> counts = Arrays.stream(h.counts()).boxed().toList();
            return new OtelData.HistogramPoint(start, now, attributes, h.sumMicros() / 1e6, h.total(),
                    BOUNDARIES_SECONDS, counts);
        }
    }
}
