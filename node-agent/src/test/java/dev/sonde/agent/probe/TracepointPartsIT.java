package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.testsupport.Bpftool;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tracepoint several probes look at has one program (bpf/probes/tracepoints.bpf.h): one link however many of them
 * are attached, and each probe's part counts exactly while that probe is attached. tcpConnections and flows share
 * {@code inet_sock_set_state}: opens against the client namespace's own {@code TcpActiveOpens}, flows against the
 * connections the client made, links against bpftool.
 */
class TracepointPartsIT {
    private static final int CONNS = 6;
    private static final String STATE_PROGRAM = "sonde_tcp_state";

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_CONNECTIONS);

    @Test
    void eachPartCountsWhileItsProbeIsAttached() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String ns = lab.netns("tp-parts");
        Path serverCg = lab.cgroup("tp-parts-server");
        Path clientCg = lab.cgroup("tp-parts-client");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);
        probes.selectFlows(client, 16);
        KernelLab.Proc server = lab.netload(serverCg, ns, "server", "--conns", String.valueOf(3 * CONNS));
        int port = server.awaitReady();
        FlowKey toServer = new FlowKey(client, InetAddress.getByName("127.0.0.1"), null, port, 0,
                FlowKey.Direction.ACTIVE, FlowKey.Transport.TCP);

        // tcpConnections alone: its part counts, flows' does not
        assertThat(linked(probes)).containsExactly(STATE_PROGRAM);
        long opened = connect(lab, clientCg, ns, port);
        assertThat(opened).as("the kernel's TcpActiveOpens").isEqualTo(CONNS);
        ProbeCounters first = ProbeAssertions.settle(probes, client, c -> c.closes() >= CONNS);
        assertThat(first.activeOpens()).isEqualTo(opened);
        assertThat(probes.readFlows().flows()).as("flows is not attached").doesNotContainKey(toServer);

        // flows too: still one link to the tracepoint, and both parts count every connection
        probes.attach(Probe.FLOWS);
        assertThat(Collections.frequency(linked(probes), STATE_PROGRAM)).isEqualTo(1);
        opened += connect(lab, clientCg, ns, port);
        assertThat(opened).isEqualTo(2 * CONNS);
        long total = opened;
        ProbeCounters both = ProbeAssertions.settle(probes, client, c -> c.activeOpens() >= total);
        assertThat(both.activeOpens()).as("active opens, the kernel's TcpActiveOpens").isEqualTo(opened);
        assertThat(settleFlow(probes, toServer, CONNS).connections()).as("the flow's connections").isEqualTo(CONNS);

        // tcpConnections detached: the program stays for flows, tcpConnections counts no more
        probes.detach(Probe.TCP_CONNECTIONS);
        assertThat(linked(probes)).contains(STATE_PROGRAM);
        opened += connect(lab, clientCg, ns, port);
        assertThat(settleFlow(probes, toServer, 2 * CONNS).connections()).isEqualTo(2 * CONNS);
        assertThat(ProbeAssertions.counters(probes, client).activeOpens()).as("tcpConnections is detached")
                .isEqualTo(2 * CONNS);
        server.awaitResult(Duration.ofSeconds(30));

        // the last probe with a part gone: so is the program's link
        List<Integer> linkIds = probes.linkIds();
        probes.detach(Probe.FLOWS);
        assertThat(Bpftool.linkedPrograms(linkIds)).as("bpftool: the links are gone").doesNotContain(STATE_PROGRAM);
        assertThat(opened).isEqualTo(3 * CONNS);
    }

    /** CONNS connections from the client cgroup; the namespace's TcpActiveOpens growth. */
    private static long connect(KernelLab lab, Path cgroup, String ns, int port) {
        Map<String, Long> before = lab.tcpSnmp(ns);
        Map<String, Long> seen = lab.netload(cgroup, ns, "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(CONNS), "--send", "100").awaitResult(Duration.ofSeconds(30));
        assertThat(seen.get("ok")).isEqualTo(CONNS);
        return lab.tcpSnmp(ns).get("ActiveOpens") - before.get("ActiveOpens");
    }

    private static List<String> linked(KernelProbes probes) throws IOException {
        return Bpftool.linkedPrograms(probes.linkIds());
    }

    /** The flow once it has at least that many connections, or as it is after FlowsIT.settle's wait. */
    private static FlowCounters settleFlow(KernelProbes probes, FlowKey key, long connections)
            throws InterruptedException {
        return FlowsIT.settle(probes, f -> f.getOrDefault(key, FlowCounters.ZERO).connections() >= connections)
                .getOrDefault(key, FlowCounters.ZERO);
    }
}
