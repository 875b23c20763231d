package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** dns against a real dnsmasq in a netns: rcodes exact, latency populated, unanswered counted. */
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

        KernelLab.Proc dnsmasq = lab.startInNetns(serverNs, "/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-daemon",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=10.77.33.2",
                "--except-interface=lo", "--port=53", "--local=/sonde.test/", "--host-record=exists.sonde.test,10.1.2.3",
                "--pid-file=", "--user=root");
        Thread.sleep(700); // dnsmasq has no readiness signal; the client retries nothing, so give it a moment

        StringBuilder names = new StringBuilder();
        for (int i = 0; i < FOUND; i++) {
            names.append("exists.sonde.test,");
        }
        for (int i = 0; i < MISSING; i++) {
            names.append("missing").append(i).append(".sonde.test,");
        }
        names.setLength(names.length() - 1);
        Map<String, Long> seen = lab.netload(clientCg, clientNs, "dns", "--host", "10.77.33.2", "--port", "53",
                "--names", names.toString()).awaitResult(Duration.ofSeconds(30));
        lab.netload(otherCg, clientNs, "dns", "--host", "10.77.33.2", "--port", "53",
                "--names", names.toString()).awaitResult(Duration.ofSeconds(30));
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
        assertThat(dnsmasq.process.isAlive()).as("dnsmasq running: " + dnsmasq.output()).isTrue();

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
}
