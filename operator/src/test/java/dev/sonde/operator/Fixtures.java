package dev.sonde.operator;

import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.AgentReportSpec;
import dev.sonde.api.v1alpha1.HealthThresholds;
import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NetworkMonitorSpec;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.PeerWindow;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.ProbeProfileSpec;
import dev.sonde.api.v1alpha1.ProbeSpec;
import dev.sonde.api.v1alpha1.RatioThreshold;
import dev.sonde.api.v1alpha1.TrafficCounters;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Objects as the API server would hand them to the operator. */
public final class Fixtures {

    private Fixtures() {
    }

    public static ProbeProfile profile(String name, String interval, ProbeName... probes) {
        ProbeProfileSpec spec = new ProbeProfileSpec();
        spec.setInterval(interval);
        spec.setProbes(Arrays.stream(probes).map(ProbeSpec::new).toList());
        HealthThresholds health = new HealthThresholds();
        health.setRetransmitRatio(new RatioThreshold(0.01, 0.05));
        spec.setHealth(health);
        ProbeProfile profile = new ProbeProfile();
        profile.getMetadata().setName(name);
        profile.getMetadata().setGeneration(1L);
        profile.setSpec(spec);
        return profile;
    }

    public static NetworkMonitor monitor(String namespace, String name, String profile) {
        NetworkMonitorSpec spec = new NetworkMonitorSpec();
        spec.setProfile(profile);
        spec.setPodSelector(new LabelSelector(Map.of("app", name), null));
        NetworkMonitor monitor = new NetworkMonitor();
        monitor.getMetadata().setNamespace(namespace);
        monitor.getMetadata().setName(name);
        monitor.getMetadata().setUid("uid-" + namespace + "-" + name);
        monitor.getMetadata().setGeneration(1L);
        monitor.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        monitor.setSpec(spec);
        return monitor;
    }

    public static Namespace namespace(String name, Map<String, String> labels) {
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    public static Log2Histogram histogram(long... buckets) {
        List<Long> list = new ArrayList<>();
        for (long b : buckets) {
            list.add(b);
        }
        return new Log2Histogram(Log2Histogram.MICROSECONDS, list, 0L);
    }

    public static TrafficCounters counters(long segments, long retransmits) {
        TrafficCounters c = new TrafficCounters();
        c.setSegmentsSent(segments);
        c.setRetransmits(retransmits);
        return c;
    }

    /** A node's report with a 10s window ending at {@code end}, carrying the given windows. */
    public static AgentReport report(String node, Instant end, NodeProbeState retransmitState, MonitorWindow... windows) {
        AgentReportSpec spec = new AgentReportSpec();
        spec.setNodeName(node);
        spec.setWindowStart(end.minusSeconds(10).toString());
        spec.setWindowEnd(end.toString());
        NodeProbeStatus probe = new NodeProbeStatus();
        probe.setName(ProbeName.TCP_RETRANSMITS);
        probe.setState(retransmitState);
        probe.setReason(retransmitState == NodeProbeState.ATTACHED ? null : "TracepointMissing");
        spec.setProbes(List.of(probe));
        spec.setMonitors(List.of(windows));
        AgentReport report = new AgentReport();
        report.getMetadata().setName(node);
        report.setSpec(spec);
        return report;
    }

    /** A peer of the flows probe: an active TCP flow to {@code kind namespace/name:port}, with no counters yet. */
    public static PeerWindow peer(String kind, String namespace, String name, int port) {
        PeerWindow p = new PeerWindow();
        p.setKind(kind);
        p.setNamespace(namespace);
        p.setName(name);
        p.setPort(port);
        p.setProtocol("tcp");
        p.setDirection("active");
        return p;
    }

    /** The peer with these counters (bytes sent and received alike). */
    public static PeerWindow counted(PeerWindow p, long connections, long connectFailures, long retransmits,
            long resets, long bytes) {
        p.setConnections(connections);
        p.setConnectFailures(connectFailures);
        p.setRetransmits(retransmits);
        p.setResetsSent(resets);
        p.setResetsReceived(0L);
        p.setBytesSent(bytes);
        p.setBytesReceived(bytes);
        return p;
    }

    public static MonitorWindow window(NetworkMonitor monitor, TrafficCounters counters, Log2Histogram connectLatency) {
        MonitorWindow window = new MonitorWindow();
        window.setNamespace(monitor.getMetadata().getNamespace());
        window.setName(monitor.getMetadata().getName());
        window.setUid(monitor.getMetadata().getUid());
        window.setPods(1);
        window.setCounters(counters);
        window.setConnectLatency(connectLatency);
        return window;
    }
}
