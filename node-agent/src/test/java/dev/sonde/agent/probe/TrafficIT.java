package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** traffic: bytes each direction within 1 % of what the application wrote and read, across a veth. */
class TrafficIT {
    private static final int SEND = 8 << 20;
    private static final int REPLY = 3 << 20;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TRAFFIC);

    @Test
    void countsBytesAndPacketsPerDirection() {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String a = lab.netns("traffic-a");
        String b = lab.netns("traffic-b");
        lab.veth(a, b, 32);
        Path clientCg = lab.cgroup("traffic-client");
        Path serverCg = lab.cgroup("traffic-server");
        Path otherCg = lab.cgroup("traffic-other");
        CgroupId client = CgroupId.of(clientCg);
        CgroupId other = CgroupId.of(otherCg);
        probes.select(client, 1);

        KernelLab.Proc srv = lab.netload(serverCg, b, "server", "--host", "10.77.32.2", "--conns", "2", "--reply", String.valueOf(REPLY));
        int port = srv.awaitReady();
        Map<String, Long> seen = lab.netload(clientCg, a, "client", "--host", "10.77.32.2", "--port", String.valueOf(port),
                "--send", String.valueOf(SEND)).awaitResult(Duration.ofSeconds(60));
        lab.netload(otherCg, a, "client", "--host", "10.77.32.2", "--port", String.valueOf(port),
                "--send", String.valueOf(SEND)).awaitResult(Duration.ofSeconds(60));
        srv.awaitResult(Duration.ofSeconds(30));

        assertThat(seen.get("written")).isEqualTo(SEND);
        assertThat(seen.get("read")).isEqualTo(REPLY);
        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.rxBytes() >= REPLY);
        System.out.printf("traffic: app wrote %d read %d; probe tx %d (%d packets, %d wire bytes) rx %d (%d packets, %d wire bytes)%n",
                SEND, REPLY, c.txBytes(), c.txPackets(), c.txWireBytes(), c.rxBytes(), c.rxPackets(), c.rxWireBytes());
        assertThat((double) c.txBytes()).as("tx bytes vs written: " + c).isCloseTo(SEND, within(SEND * 0.01));
        assertThat((double) c.rxBytes()).as("rx bytes vs read: " + c).isCloseTo(REPLY, within(REPLY * 0.01));
        // GSO segments: about one packet per MSS (1448 bytes on this 1500-byte veth)
        assertThat(c.txPackets()).isBetween(SEND / 1500L, SEND / 1000L);
        assertThat(c.rxPackets()).isPositive();
        // wire bytes: at least the payload plus one 52-byte header set per 64 KiB
        assertThat(c.txWireBytes()).isGreaterThan(c.txBytes());
        assertThat(c.rxWireBytes()).isGreaterThan(c.rxBytes());
        assertThat(probes.readCounters()).doesNotContainKey(other);

        // unselect: what was counted stays readable, nothing more is counted
        probes.unselect(client);
        KernelLab.Proc again = lab.netload(serverCg, b, "server", "--host", "10.77.32.2", "--conns", "1");
        int port2 = again.awaitReady();
        lab.netload(clientCg, a, "client", "--host", "10.77.32.2", "--port", String.valueOf(port2),
                "--send", String.valueOf(SEND)).awaitResult(Duration.ofSeconds(60));
        again.awaitResult(Duration.ofSeconds(30));
        ProbeCounters afterUnselect = ProbeAssertions.counters(probes, client);
        assertThat(afterUnselect.txBytes()).isEqualTo(c.txBytes());
        assertThat(afterUnselect.txPackets()).isEqualTo(c.txPackets());
        assertThat(afterUnselect.rxBytes()).isEqualTo(c.rxBytes());
        probes.forget(client);
        assertThat(probes.readCounters()).doesNotContainKey(client);
    }
}
