package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.testsupport.Bpftool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cgroup_skb programs are shared by the probes that look at packets: one link per direction however many of them
 * are attached, and each probe's part counts exactly while that probe is attached. Packets against the client
 * namespace's own {@code Udp:} counters, queries against what a real dnsmasq answered, links against bpftool.
 */
class CgroupSkbPartsIT {
    private static final int QUERIES = 3;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.DNS);

    @Test
    void eachPartCountsWhileItsProbeIsAttached() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String clientNs = lab.netns("parts-a");
        String serverNs = lab.netns("parts-b");
        lab.veth(clientNs, serverNs, 36);
        Path clientCg = lab.cgroup("parts-client");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);
        probes.selectDnsPorts(client, Set.of(53));
        lab.startDnsmasq(serverNs, "10.77.36.2", 53);
        String names = DnsIT.names(QUERIES - 1, 1);

        // dns alone: its part counts, traffic's does not
        assertThat(Bpftool.linkedPrograms(probes.linkIds())).containsExactly("sonde_skb_rx", "sonde_skb_tx");
        query(lab, clientCg, clientNs, names);
        ProbeCounters dnsOnly = ProbeAssertions.settle(probes, client, c -> c.dnsResponses() >= QUERIES);
        assertThat(dnsOnly.dnsQueries()).isEqualTo(QUERIES);
        assertThat(dnsOnly.txPackets()).as("traffic is not attached").isZero();
        assertThat(dnsOnly.rxPackets()).isZero();

        // traffic too: the same two links, and every datagram the namespace sent and received
        probes.attach(Probe.TRAFFIC);
        assertThat(Bpftool.linkedPrograms(probes.linkIds())).containsExactly("sonde_skb_rx", "sonde_skb_tx",
                "sonde_sock_rx", "sonde_sock_tx");
        Map<String, Long> before = lab.udpSnmp(clientNs);
        query(lab, clientCg, clientNs, names);
        Map<String, Long> after = lab.udpSnmp(clientNs);
        long sent = after.get("OutDatagrams") - before.get("OutDatagrams");
        long received = after.get("InDatagrams") - before.get("InDatagrams");
        assertThat(sent).isEqualTo(QUERIES);
        ProbeCounters both = ProbeAssertions.settle(probes, client, c -> c.dnsResponses() >= 2 * QUERIES);
        assertThat(both.dnsQueries()).isEqualTo(2 * QUERIES);
        assertThat(both.txPackets()).as("datagrams sent, the kernel's OutDatagrams").isEqualTo(sent);
        assertThat(both.rxPackets()).as("datagrams received, the kernel's InDatagrams").isEqualTo(received);

        // dns detached: the programs stay for traffic, dns counts no more
        List<Integer> linkIds = probes.linkIds();
        probes.detach(Probe.DNS);
        assertThat(Bpftool.linkedPrograms(probes.linkIds())).containsExactly("sonde_skb_rx", "sonde_skb_tx",
                "sonde_sock_rx", "sonde_sock_tx");
        before = lab.udpSnmp(clientNs);
        query(lab, clientCg, clientNs, names);
        after = lab.udpSnmp(clientNs);
        long sentLast = after.get("OutDatagrams") - before.get("OutDatagrams");
        ProbeCounters trafficOnly = ProbeAssertions.settle(probes, client,
                c -> c.txPackets() >= both.txPackets() + sentLast);
        assertThat(trafficOnly.txPackets()).isEqualTo(both.txPackets() + sentLast);
        assertThat(trafficOnly.dnsQueries()).as("dns is detached").isEqualTo(2 * QUERIES);
        assertThat(trafficOnly.dnsResponses()).isEqualTo(2 * QUERIES);

        // the last probe with a part gone: so are the programs' links
        probes.detach(Probe.TRAFFIC);
        assertThat(probes.linkIds()).isEmpty();
        assertThat(Bpftool.linkedPrograms(linkIds)).as("bpftool: the links are gone").isEmpty();
    }

    private static void query(KernelLab lab, Path cgroup, String ns, String names) {
        Map<String, Long> seen = lab.netload(cgroup, ns, "dns", "--host", "10.77.36.2", "--port", "53", "--names",
                names).awaitResult(Duration.ofSeconds(30));
        assertThat(seen.get("0") + seen.get("3")).as("dnsmasq answered every query").isEqualTo(QUERIES);
    }
}
