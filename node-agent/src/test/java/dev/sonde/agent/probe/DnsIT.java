package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dns against a real dnsmasq in a netns: rcodes exact, latency populated, unanswered counted; only the DNS ports
 * the cgroup's monitors list are parsed.
 */
class DnsIT {
    private static final int FOUND = 7;
    private static final int MISSING = 4;
    private static final int LOST = 2;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.DNS)
            .withConfig(config -> config.withDnsTimeout(Duration.ofSeconds(1)));

    @Test
    void countsQueriesRcodesLatencyAndUnanswered() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String clientNs = lab.netns("dns-a");
        String serverNs = lab.netns("dns-b");
        lab.veth(clientNs, serverNs, 33);
        Path clientCg = lab.cgroup("dns-client");
        Path otherCg = lab.cgroup("dns-other");
        CgroupId client = CgroupId.of(clientCg);
        CgroupId other = CgroupId.of(otherCg);
        probes.select(client, 1);
        probes.selectDnsPorts(client, Set.of(53));

        lab.startDnsmasq(serverNs, "10.77.33.2", 53);

        String names = names(FOUND, MISSING);
        Map<String, Long> seen = lab.netload(clientCg, clientNs, "dns", "--host", "10.77.33.2", "--port", "53",
                "--names", names).awaitResult(Duration.ofSeconds(30));
        lab.netload(otherCg, clientNs, "dns", "--host", "10.77.33.2", "--port", "53",
                "--names", names).awaitResult(Duration.ofSeconds(30));
        // nothing listens on .1: these queries are never answered
        StringBuilder lost = new StringBuilder();
        for (int i = 0; i < LOST; i++) {
            lost.append(i == 0 ? "" : ",").append("lost").append(i).append(".sonde.test");
        }
        Map<String, Long> lostSeen = lab.netload(clientCg, serverNs, "dns", "--host", "10.77.33.1", "--port", "53",
                "--names", lost.toString(), "--timeout", "0.5").awaitResult(Duration.ofSeconds(30));

        assertThat(seen.get("0")).as("dnsmasq NOERROR answers").isEqualTo(FOUND);
        assertThat(seen.get("3")).as("dnsmasq NXDOMAIN answers").isEqualTo(MISSING);
        assertThat(lostSeen.get("unanswered")).isEqualTo(LOST);

        Thread.sleep(1200); // past the 1 s DNS timeout
        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.dnsUnanswered() >= LOST);
        System.out.println("dns: " + c.dnsQueries() + " queries, rcodes " + c.dnsResponsesByRcode() + ", unanswered "
                + c.dnsUnanswered() + ", latency " + c.dnsLatency());
        assertThat(c.dnsQueries()).isEqualTo(FOUND + MISSING + LOST);
        assertThat(c.dnsResponses(ProbeCounters.RCODE_NOERROR)).isEqualTo(FOUND);
        assertThat(c.dnsResponses(ProbeCounters.RCODE_NXDOMAIN)).isEqualTo(MISSING);
        assertThat(c.dnsResponses()).isEqualTo(FOUND + MISSING);
        assertThat(c.dnsLatency().total()).isEqualTo(FOUND + MISSING);
        assertThat(c.dnsLatency().sumMicros()).isPositive();
        assertThat(c.dnsUnanswered()).isEqualTo(LOST);
        assertThat(probes.readCounters()).doesNotContainKey(other);
        assertThat(probes.mapFullCounts()).containsEntry("dns_pending", 0L);
    }

    /** A server on 5353: counted exactly while the cgroup lists 5353, not at all while it lists only 53. */
    @Test
    void parsesOnlyTheListedPorts() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String clientNs = lab.netns("dnsp-a");
        String serverNs = lab.netns("dnsp-b");
        lab.veth(clientNs, serverNs, 34);
        Path listedCg = lab.cgroup("dnsp-listed");
        Path unlistedCg = lab.cgroup("dnsp-unlisted");
        CgroupId listed = CgroupId.of(listedCg);
        CgroupId unlisted = CgroupId.of(unlistedCg);
        probes.select(listed, 1);
        probes.selectDnsPorts(listed, Set.of(53, 5353));
        probes.select(unlisted, 1);
        probes.selectDnsPorts(unlisted, Set.of(53));

        lab.startDnsmasq(serverNs, "10.77.34.2", 5353);
        String names = names(3, 2);
        Map<String, Long> listedSeen = lab.netload(listedCg, clientNs, "dns", "--host", "10.77.34.2", "--port",
                "5353", "--names", names).awaitResult(Duration.ofSeconds(30));
        Map<String, Long> unlistedSeen = lab.netload(unlistedCg, clientNs, "dns", "--host", "10.77.34.2", "--port",
                "5353", "--names", names).awaitResult(Duration.ofSeconds(30));
        assertThat(listedSeen.get("0")).as("dnsmasq on 5353 answers").isEqualTo(3);
        assertThat(unlistedSeen.get("3")).as("dnsmasq on 5353 answers").isEqualTo(2);

        ProbeCounters c = ProbeAssertions.settle(probes, listed, x -> x.dnsResponses() >= 5);
        assertThat(c.dnsQueries()).isEqualTo(5);
        assertThat(c.dnsResponses(ProbeCounters.RCODE_NOERROR)).isEqualTo(3);
        assertThat(c.dnsResponses(ProbeCounters.RCODE_NXDOMAIN)).isEqualTo(2);
        ProbeCounters u = probes.readCounters().getOrDefault(unlisted, ProbeCounters.ZERO);
        assertThat(u.dnsQueries()).as("5353 is not a DNS port of this cgroup").isZero();
        assertThat(u.dnsResponses()).isZero();

        // the unlisted cgroup's monitors now list 5353: from here on it is counted too
        probes.selectDnsPorts(unlisted, Set.of(5353));
        lab.netload(unlistedCg, clientNs, "dns", "--host", "10.77.34.2", "--port", "5353", "--names", names)
                .awaitResult(Duration.ofSeconds(30));
        ProbeCounters after = ProbeAssertions.settle(probes, unlisted, x -> x.dnsResponses() >= 5);
        assertThat(after.dnsQueries()).isEqualTo(5);
        assertThat(after.dnsResponses(ProbeCounters.RCODE_NXDOMAIN)).isEqualTo(2);
    }

    static String names(int found, int missing) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < found; i++) {
            names.append("exists.sonde.test,");
        }
        for (int i = 0; i < missing; i++) {
            names.append("missing").append(i).append(".sonde.test,");
        }
        names.setLength(names.length() - 1);
        return names.toString();
    }
}
