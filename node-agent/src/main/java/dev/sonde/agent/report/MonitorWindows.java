package dev.sonde.agent.report;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.v1alpha1.ProbeName;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sums per-cgroup interval deltas into the AgentReport's per-monitor window, in the API's units. */
public final class MonitorWindows {

    private MonitorWindows() {
    }

    /**
     * The window of one monitor: the deltas of every cgroup of the pods it selects on this node.
     *
     * @param pods how many pods the monitor selects on this node
     * @param lossDropReasons the kernel drop reasons (numbers) that count as loss in the window's {@code drops}
     */
    public static MonitorWindow of(String namespace, String name, String uid, int pods, Collection<CgroupId> cgroups,
            Map<CgroupId, ProbeCounters> deltas, Set<Integer> lossDropReasons) {
        ProbeCounters sum = ProbeCounters.ZERO;
        for (CgroupId cgroup : cgroups) {
            ProbeCounters delta = deltas.get(cgroup);
            if (delta != null) {
                sum = sum.plus(delta);
            }
        }
        MonitorWindow window = new MonitorWindow();
        window.setNamespace(namespace);
        window.setName(name);
        window.setUid(uid);
        window.setPods(pods);
        window.setCounters(counters(sum, lossDropReasons));
        window.setConnectLatency(sum.connectLatency().toApi());
        window.setRtt(sum.rtt().toApi());
        window.setDnsLatency(sum.dnsLatency().toApi());
        return window;
    }

    /**
     * The numbers of the monitor's loss drop reasons (its packetDrops probe's, else the default list) on this kernel,
     * from the kernel's drop reason names; names this kernel lacks match nothing.
     */
    public static Set<Integer> lossDropReasons(CompiledMonitor monitor, DropReasons reasons) {
        return reasons.numbersOf(monitor.probes().stream().filter(p -> p.name() == ProbeName.PACKET_DROPS)
                .findFirst().map(CompiledProbe::lossDropReasons).orElse(CompiledProbe.DEFAULT_LOSS_DROP_REASONS));
    }

    static TrafficCounters counters(ProbeCounters c, Set<Integer> lossDropReasons) {
        TrafficCounters counters = new TrafficCounters();
        counters.setConnectsActive(c.activeOpens());
        counters.setConnectsPassive(c.passiveOpens());
        counters.setConnectFailures(c.connectFailures());
        // The retransmit ratio's denominator, counted by tcpRetransmits itself: TCP segments sent that were not
        // retransmissions (what TcpOutSegs counts).
        counters.setSegmentsSent(c.outSegments());
        counters.setRetransmits(c.retransmitSegments());
        counters.setResetsSent(c.resetsSent());
        counters.setResetsReceived(c.resetsReceived());
        counters.setBytesSent(c.txBytes());
        counters.setBytesReceived(c.rxBytes());
        counters.setPacketsSent(c.txPackets());
        counters.setPacketsReceived(c.rxPackets());
        // every reason is in the metrics; health counts only the reasons that mean loss
        counters.setDrops(c.dropsByReason().entrySet().stream().filter(e -> lossDropReasons.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum());
        counters.setDnsQueries(c.dnsQueries());
        counters.setDnsErrors(c.dnsResponses() - c.dnsResponses(ProbeCounters.RCODE_NOERROR) + c.dnsUnanswered());
        return counters;
    }
}
