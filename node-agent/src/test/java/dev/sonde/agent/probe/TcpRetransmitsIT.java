package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * tcpRetransmits: loss induced by an nftables random-drop rule where the data arrives (so the
 * sender's retransmits themselves succeed); our count equals TcpRetransSegs in the sender's netns.
 */
class TcpRetransmitsIT {
    private static final int BYTES = 4 << 20;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_RETRANSMITS);

    @Test
    void countsRetransmittedSegmentsLikeTheKernel() {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String sender = lab.netns("retx-a");
        String receiver = lab.netns("retx-b");
        lab.veth(sender, receiver, 31);
        Path clientCg = lab.cgroup("retx-client");
        Path serverCg = lab.cgroup("retx-server");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);

        KernelLab.Proc srv = lab.netload(serverCg, receiver, "server", "--host", "10.77.31.2", "--conns", "2");
        int port = srv.awaitReady();
        // only data segments are lost: a lost ACK of the server's FIN would make the client's TIME_WAIT answer
        // the FIN's retransmission from the kernel's control socket, a segment no cgroup sends (TcpOutSegs counts it)
        lab.nft(receiver, """
                table inet sonde_it {
                  chain in {
                    type filter hook input priority 0; policy accept;
                    tcp dport %d ip length > 100 numgen random mod 100 < 3 counter drop
                  }
                }
                """.formatted(port));
        Map<String, Long> before = lab.tcpSnmp(sender);
        Map<String, Long> seen = lab.netload(clientCg, sender, "client", "--host", "10.77.31.2", "--port", String.valueOf(port),
                "--conns", "2", "--send", String.valueOf(BYTES)).awaitResult(Duration.ofSeconds(120));
        srv.awaitResult(Duration.ofSeconds(30));
        Map<String, Long> after = lab.tcpSnmp(sender);

        assertThat(seen.get("written")).isEqualTo(2L * BYTES);
        long kernel = after.get("RetransSegs") - before.get("RetransSegs");
        assertThat(kernel).as("the drop rule must have caused retransmits").isPositive();
        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.retransmitSegments() >= kernel);
        System.out.printf("tcpRetransmits: kernel TcpRetransSegs delta %d, probe %d%n", kernel, c.retransmitSegments());
        assertThat(c.retransmitSegments()).isEqualTo(kernel);
        // the ratio's denominator, counted by this probe alone: segments sent that were not retransmissions
        long outSegs = after.get("OutSegs") - before.get("OutSegs");
        System.out.printf("tcpRetransmits: kernel TcpOutSegs delta %d, probe %d (all TCP segments %d)%n", outSegs,
                c.outSegments(), c.tcpSegmentsSent());
        assertThat(c.outSegments()).as("segments sent, against TcpOutSegs").isEqualTo(outSegs);
        assertThat((double) c.retransmitSegments() / c.outSegments()).as("retransmit ratio, against RetransSegs / OutSegs")
                .isEqualTo((double) kernel / outSegs);
        assertThat(probes.readCounters()).doesNotContainKey(CgroupId.of(serverCg));
    }
}
