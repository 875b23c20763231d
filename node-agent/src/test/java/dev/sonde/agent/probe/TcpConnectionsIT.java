package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * tcpConnections and tcpRtt against the kernel's own TcpActiveOpens/TcpPassiveOpens in a private
 * netns, and against what the client saw (connections made, connections refused).
 */
class TcpConnectionsIT {
    private static final int N = 20;
    private static final int REFUSED = 5;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_CONNECTIONS, Probe.TCP_RTT);

    @Test
    void countsOpensClosesFailuresAndLatencyPerSelectedCgroup() {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String ns = lab.netns("conn");
        Path serverCg = lab.cgroup("conn-server");
        Path clientCg = lab.cgroup("conn-client");
        Path otherCg = lab.cgroup("conn-other");
        CgroupId server = CgroupId.of(serverCg);
        CgroupId client = CgroupId.of(clientCg);
        CgroupId other = CgroupId.of(otherCg);
        probes.select(server, 1);
        probes.select(client, 1);

        Map<String, Long> before = lab.tcpSnmp(ns);
        KernelLab.Proc srv = lab.netload(serverCg, ns, "server", "--conns", String.valueOf(2 * N), "--reply", "100");
        int port = srv.awaitReady();
        Map<String, Long> seen = lab.netload(clientCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(N), "--send", "1000").awaitResult(Duration.ofSeconds(30));
        Map<String, Long> otherSeen = lab.netload(otherCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(N), "--send", "1000").awaitResult(Duration.ofSeconds(30));
        srv.awaitResult(Duration.ofSeconds(30));
        // the listener is closed now: every connect is refused by an RST
        Map<String, Long> refused = lab.netload(clientCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(REFUSED)).awaitResult(Duration.ofSeconds(30));
        Map<String, Long> after = lab.tcpSnmp(ns);

        assertThat(seen.get("ok")).isEqualTo(N);
        assertThat(otherSeen.get("ok")).isEqualTo(N);
        assertThat(refused.get("refused")).isEqualTo(REFUSED);
        long kernelActive = after.get("ActiveOpens") - before.get("ActiveOpens");
        long kernelPassive = after.get("PassiveOpens") - before.get("PassiveOpens");
        assertThat(kernelActive).isEqualTo(2 * N + REFUSED);
        assertThat(kernelPassive).isEqualTo(2 * N);

        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.closes() >= N);
        System.out.println("tcpConnections client: " + c.activeOpens() + " active, " + c.connectFailures() + " failed, "
                + c.closes() + " closes, connect latency " + c.connectLatency() + ", rtt " + c.rtt());
        assertThat(c.activeOpens()).as("client active opens").isEqualTo(N + REFUSED);
        assertThat(c.connectFailures()).as("client failed connects").isEqualTo(REFUSED);
        assertThat(c.passiveOpens()).isZero();
        assertThat(c.closes()).as("client closes").isEqualTo(N);
        assertThat(c.connectLatency().total()).as("connect latency samples").isEqualTo(N);
        assertThat(c.connectLatency().toApi().quantile(0.99)).isPositive().isLessThan(1_000_000);
        assertThat(c.rtt().total()).as("one RTT sample per connection leaving ESTABLISHED").isEqualTo(N);
        assertThat(c.rtt().sumMicros()).isPositive();

        ProbeCounters s = ProbeAssertions.settle(probes, server, x -> x.closes() >= 2 * N);
        // the server's cgroup also served the unselected client: passive opens belong to the listener's cgroup
        assertThat(s.passiveOpens()).as("server passive opens").isEqualTo(2 * N);
        assertThat(s.activeOpens()).isZero();
        assertThat(s.closes()).as("server closes").isEqualTo(2 * N);

        assertThat(probes.readCounters()).as("unselected cgroup counts nothing").doesNotContainKey(other);
        assertThat(probes.mapFullCounts()).containsEntry("metrics", 0L).containsEntry("connect_start", 0L);
    }
}
