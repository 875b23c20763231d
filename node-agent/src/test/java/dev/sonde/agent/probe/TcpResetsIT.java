package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** tcpResets against the netns' TcpOutRsts and the RSTs the client application saw. */
class TcpResetsIT {
    private static final int N = 12;
    private static final int REFUSED = 3;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_RESETS);

    @Test
    void countsResetsSentAndReceivedBySocketCgroup() {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String ns = lab.netns("rst");
        Path serverCg = lab.cgroup("rst-server");
        Path clientCg = lab.cgroup("rst-client");
        Path otherCg = lab.cgroup("rst-other");
        CgroupId server = CgroupId.of(serverCg);
        CgroupId client = CgroupId.of(clientCg);
        CgroupId other = CgroupId.of(otherCg);
        probes.select(server, 1);
        probes.select(client, 1);
        long nodeSentBefore = ProbeAssertions.counters(probes, CgroupId.NODE).resetsSent();

        Map<String, Long> before = lab.tcpSnmp(ns);
        // the server aborts each connection (SO_LINGER 0): one RST with a socket each
        KernelLab.Proc srv = lab.netload(serverCg, ns, "server", "--conns", String.valueOf(2 * N), "--abort");
        int port = srv.awaitReady();
        Map<String, Long> seen = lab.netload(clientCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(N), "--send", "1", "--await-reset").awaitResult(Duration.ofSeconds(30));
        lab.netload(otherCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(N), "--send", "1", "--await-reset").awaitResult(Duration.ofSeconds(30));
        srv.awaitResult(Duration.ofSeconds(30));
        // no listener any more: the kernel answers each SYN with a socket-less RST
        Map<String, Long> refused = lab.netload(clientCg, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(REFUSED)).awaitResult(Duration.ofSeconds(30));
        Map<String, Long> after = lab.tcpSnmp(ns);

        assertThat(seen.get("reset")).as("client saw ECONNRESET").isEqualTo(N);
        assertThat(refused.get("refused")).isEqualTo(REFUSED);
        long kernelOutRsts = after.get("OutRsts") - before.get("OutRsts");
        assertThat(kernelOutRsts).isEqualTo(2 * N + REFUSED);

        ProbeCounters s = ProbeAssertions.settle(probes, server, x -> x.resetsSent() >= 2 * N);
        assertThat(s.resetsSent()).as("server RSTs (its own and the unselected client's connections)").isEqualTo(2 * N);
        assertThat(s.resetsReceived()).isZero();
        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.resetsReceived() >= N + REFUSED);
        assertThat(c.resetsReceived()).as("client RSTs received (aborts + refused connects)").isEqualTo(N + REFUSED);
        assertThat(c.resetsSent()).isZero();
        // socket-less RSTs are node-level; other netns on this machine may add theirs
        long nodeSent = ProbeAssertions.counters(probes, CgroupId.NODE).resetsSent() - nodeSentBefore;
        assertThat(nodeSent).isGreaterThanOrEqualTo(REFUSED);
        assertThat(s.resetsSent() + REFUSED).isEqualTo(kernelOutRsts);
        assertThat(probes.readCounters()).doesNotContainKey(other);
    }
}
