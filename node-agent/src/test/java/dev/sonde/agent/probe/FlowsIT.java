package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * flows against what each side's application did and what the server namespaces' kernels counted. A client in this
 * host's namespace connects to a virtual IP that an nftables DNAT (as kube-proxy's) sends alternately to two backends
 * in their own namespaces: the client's flows must be split by backend exactly, as each backend counted its accepts.
 */
class FlowsIT {
    private static final int CONNS = 10;
    private static final int SEND = 3000;
    private static final int REPLY = 700;
    private static final int REFUSED = 3;
    private static final String VIP = "10.77.30.10";
    private static final String DEAD_VIP = "10.77.30.11";
    private static final int LOSSY_REPLY = 2_000_000;

    /** tcpRtt too: it keeps its per-socket state in the same socket storage (sock_state) as flows */
    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.FLOWS, Probe.TCP_RTT);

    @Test
    void countsEachPeerAndSplitsAVirtualIpByBackend() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String ns1 = lab.netns("fl1");
        String ns2 = lab.netns("fl2");
        lab.vethToHost(ns1, 31);
        lab.vethToHost(ns2, 32);
        String b1 = "10.77.31.2";
        String b2 = "10.77.32.2";
        // kube-proxy's shape: DNAT in the node's namespace, one backend after the other (numgen inc: an exact split)
        lab.hostNftTable("flows", """
                chain out {
                    type nat hook output priority -100;
                    ip daddr %s tcp dport 80 dnat to numgen inc mod 2 map { 0 : %s, 1 : %s }
                    ip daddr %s tcp dport 81 dnat to %s
                }""".formatted(VIP, b1, b2, DEAD_VIP, b1));
        KernelLab.sh("ip", "route", "add", VIP + "/32", "via", "10.77.31.2");
        KernelLab.sh("ip", "route", "add", DEAD_VIP + "/32", "via", "10.77.31.2");
        try {
            run(lab, probes, ns1, ns2, b1, b2);
        } finally {
            KernelLab.sh("ip", "route", "del", VIP + "/32");
            KernelLab.sh("ip", "route", "del", DEAD_VIP + "/32");
        }
    }

    private void run(KernelLab lab, KernelProbes probes, String ns1, String ns2, String b1, String b2) throws Exception {
        Path clientCg = lab.cgroup("fl-client");
        Path s1Cg = lab.cgroup("fl-s1");
        Path s2Cg = lab.cgroup("fl-s2");
        Path otherCg = lab.cgroup("fl-other");
        CgroupId client = CgroupId.of(clientCg);
        CgroupId s1 = CgroupId.of(s1Cg);
        CgroupId s2 = CgroupId.of(s2Cg);
        CgroupId other = CgroupId.of(otherCg);
        for (CgroupId cg : new CgroupId[] {client, s1, s2}) {
            probes.select(cg, 1);
            probes.selectFlows(cg, 16);
        }
        probes.select(other, 1); // selected, but without flows

        KernelLab.Proc srv1 = lab.netload(s1Cg, ns1, "server", "--host", "0.0.0.0", "--port", "80",
                "--conns", String.valueOf(CONNS / 2), "--reply", String.valueOf(REPLY));
        KernelLab.Proc srv2 = lab.netload(s2Cg, ns2, "server", "--host", "0.0.0.0", "--port", "80",
                "--conns", String.valueOf(CONNS / 2 + CONNS / 2), "--reply", String.valueOf(REPLY));
        srv1.awaitReady();
        srv2.awaitReady();
        Map<String, Long> seen = lab.netload(clientCg, null, "client", "--host", VIP, "--port", "80",
                "--conns", String.valueOf(CONNS), "--send", String.valueOf(SEND)).awaitResult(Duration.ofSeconds(30));
        Map<String, Long> refused = lab.netload(clientCg, null, "client", "--host", DEAD_VIP, "--port", "81",
                "--conns", String.valueOf(REFUSED)).awaitResult(Duration.ofSeconds(30));
        // a cgroup selected without flows, straight to a backend: counted nowhere in flows
        lab.netload(otherCg, null, "client", "--host", b2, "--port", "80",
                "--conns", String.valueOf(CONNS / 2), "--send", "10").awaitResult(Duration.ofSeconds(30));
        Map<String, Long> at1 = srv1.awaitResult(Duration.ofSeconds(30));
        Map<String, Long> at2 = srv2.awaitResult(Duration.ofSeconds(30));
        Map<String, Long> udp = lab.netload(clientCg, null, "udp", "--host", b1, "--port", "5300", "--count", "4")
                .awaitResult(Duration.ofSeconds(30));

        assertThat(seen.get("ok")).isEqualTo(CONNS);
        assertThat(refused.get("refused")).isEqualTo(REFUSED);
        assertThat(at1.get("conns")).isEqualTo(CONNS / 2);
        assertThat(udp.get("sent")).isEqualTo(4);

        InetAddress vip = InetAddress.getByName(VIP);
        FlowKey toB1 = new FlowKey(client, vip, InetAddress.getByName(b1), 80, 80, FlowKey.Direction.ACTIVE,
                FlowKey.Transport.TCP);
        FlowKey toB2 = new FlowKey(client, vip, InetAddress.getByName(b2), 80, 80, FlowKey.Direction.ACTIVE,
                FlowKey.Transport.TCP);
        FlowKey toDead = new FlowKey(client, InetAddress.getByName(DEAD_VIP), InetAddress.getByName(b1), 81, 81,
                FlowKey.Direction.ACTIVE, FlowKey.Transport.TCP);
        FlowKey udpOut = new FlowKey(client, InetAddress.getByName(b1), null, 5300, 0, FlowKey.Direction.ACTIVE,
                FlowKey.Transport.UDP);
        FlowKey atB1 = new FlowKey(s1, InetAddress.getByName("10.77.31.1"), null, 80, 0, FlowKey.Direction.PASSIVE,
                FlowKey.Transport.TCP);
        Map<FlowKey, FlowCounters> flows = settle(probes, f -> f.containsKey(udpOut)
                && f.getOrDefault(toB2, FlowCounters.ZERO).bytesReceived() >= (long) CONNS / 2 * REPLY
                && f.getOrDefault(atB1, FlowCounters.ZERO).bytesSent() >= (long) CONNS / 2 * REPLY);
        flows.forEach((k, v) -> System.out.println("flow " + k + " -> " + v));

        // the client's connects, split by the backend each reached: as each backend counted its accepts
        long fromB2 = at2.get("conns") - CONNS / 2; // srv2 also served the cgroup without flows
        assertThat(flows.get(toB1).connections()).isEqualTo(at1.get("conns"));
        assertThat(flows.get(toB2).connections()).isEqualTo(fromB2);
        assertThat(flows.get(toB1).connectFailures()).isZero();
        // bytes: what the client wrote is what each backend read, and the backends' replies what the client read
        assertThat(flows.get(toB1).bytesSent()).isEqualTo(at1.get("read"));
        assertThat(flows.get(toB1).bytesSent() + flows.get(toB2).bytesSent()).isEqualTo(seen.get("written"));
        assertThat(flows.get(toB1).bytesReceived() + flows.get(toB2).bytesReceived()).isEqualTo(seen.get("read"));
        assertThat(flows.get(toB1).rtt().total()).as("RTT samples on the flow").isGreaterThanOrEqualTo(1);
        // connects refused behind a virtual IP: failures of that flow, with the backend that refused
        assertThat(flows.get(toDead).connections()).isEqualTo(REFUSED);
        assertThat(flows.get(toDead).connectFailures()).isEqualTo(REFUSED);
        assertThat(flows.get(toDead).resetsReceived()).isEqualTo(REFUSED);
        // the server's side: its port, the client's address, never the client's ephemeral port
        assertThat(flows.get(atB1).connections()).isEqualTo(at1.get("conns"));
        assertThat(flows.get(atB1).bytesReceived()).isEqualTo(at1.get("read"));
        assertThat(flows.get(atB1).bytesSent()).isEqualTo(at1.get("written"));
        // UDP: 4 datagrams of 32 bytes to port 5300 from an ephemeral port
        assertThat(flows.get(udpOut).bytesSent()).isEqualTo(4 * 32);
        assertThat(flows.keySet()).noneMatch(k -> k.cgroup().equals(other));
        assertThat(flows.keySet()).allMatch(k -> k.port() == 80 || k.port() == 81 || k.port() == 5300,
                "only server ports are keys");
        // s2 saw the client through the VIP (from the client's source address, 10.77.31.1) and the cgroup without
        // flows directly (from 10.77.32.1): two passive flows, their accepts adding up to what s2 accepted
        FlowKey atB2ViaVip = new FlowKey(s2, InetAddress.getByName("10.77.31.1"), null, 80, 0,
                FlowKey.Direction.PASSIVE, FlowKey.Transport.TCP);
        assertThat(flows.get(atB2ViaVip).connections()).isEqualTo(fromB2);
        long atB2 = flows.entrySet().stream().filter(e -> e.getKey().cgroup().equals(s2))
                .mapToLong(e -> e.getValue().connections()).sum();
        assertThat(atB2).isEqualTo(at2.get("conns"));

        // tcpRtt on the same sockets: every connection that was established gave it at least one sample, with flows
        // sharing the storage (the client, the servers) and without (the cgroup selected without flows)
        Map<CgroupId, ProbeCounters> counters = probes.readCounters();
        assertThat(counters.get(client).rtt().total()).as("client RTT samples").isGreaterThanOrEqualTo(CONNS);
        assertThat(counters.get(s1).rtt().total()).as("server RTT samples").isGreaterThanOrEqualTo(CONNS / 2);
        assertThat(counters.get(other).rtt().total()).as("RTT samples without flows").isGreaterThanOrEqualTo(CONNS / 2);
    }

    @Test
    void aPodAtItsBudgetGetsNoNewPeersAndCountsWhatItRefused() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String ns = lab.netns("flb");
        Path serverCg = lab.cgroup("flb-server");
        Path clientCg = lab.cgroup("flb-client");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);
        probes.selectFlows(client, 1);
        KernelLab.Proc a = lab.netload(serverCg, ns, "server", "--conns", "2");
        KernelLab.Proc b = lab.netload(serverCg, ns, "server", "--conns", "3");
        int portA = a.awaitReady();
        int portB = b.awaitReady();
        lab.netload(clientCg, ns, "client", "--port", String.valueOf(portA), "--conns", "2", "--send", "5")
                .awaitResult(Duration.ofSeconds(30));
        lab.netload(clientCg, ns, "client", "--port", String.valueOf(portB), "--conns", "3", "--send", "5")
                .awaitResult(Duration.ofSeconds(30));
        a.awaitResult(Duration.ofSeconds(30));
        b.awaitResult(Duration.ofSeconds(30));
        // connects to a closed port: the RST arrives before the connect's outcome, each is refused once
        Map<String, Long> closed = lab.netload(clientCg, ns, "client", "--port", "1", "--conns", "4")
                .awaitResult(Duration.ofSeconds(30));
        assertThat(closed.get("refused")).isEqualTo(4);

        FlowTable.Reading r = probes.readFlows();
        assertThat(r.flows().keySet().stream().filter(k -> k.cgroup().equals(client))).hasSize(1)
                .allMatch(k -> k.port() == portA);
        assertThat(r.budgets().get(client)).isEqualTo(new FlowTable.Budget(1, 1, 3 + 4));
        // expiring the flow frees the budget
        probes.expireFlows(r.flows().keySet().stream().filter(k -> k.cgroup().equals(client)).toList());
        assertThat(probes.readFlows().budgets().get(client).used()).isZero();
    }

    @Test
    void retransmitsAreCountedOnTheLossyFlowOnly() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String lossy = lab.netns("flr1");
        String clean = lab.netns("flr2");
        lab.vethToHost(lossy, 33);
        lab.vethToHost(clean, 34);
        // 10 % of what the lossy server sends is lost on the way (dropped as it arrives here, so the server's TCP
        // retransmits; a drop in the sender's own output would only delay the send)
        lab.hostNftTable("loss", """
                chain in {
                    type filter hook input priority 0;
                    ip saddr 10.77.33.2 tcp flags & (syn | fin | rst) == 0 numgen random mod 10 < 1 drop
                }""");
        Path lossyCg = lab.cgroup("flr-lossy");
        Path cleanCg = lab.cgroup("flr-clean");
        Path clientCg = lab.cgroup("flr-client");
        CgroupId lossyServer = CgroupId.of(lossyCg);
        CgroupId cleanServer = CgroupId.of(cleanCg);
        for (CgroupId cg : new CgroupId[] {lossyServer, cleanServer}) {
            probes.select(cg, 1);
            probes.selectFlows(cg, 16);
        }
        Map<String, Long> lossyBefore = lab.tcpSnmp(lossy);
        Map<String, Long> cleanBefore = lab.tcpSnmp(clean);
        // 2 MB per lossy connection: GRO hands the host a few large skbs per connection, so 200 kB made as few as
        // ~12 drop candidates in all, and none was dropped in about one run in four. The clean edge keeps 200 kB:
        // 2 MB bursts made a busy host drop some of them too (23 real retransmits once, each on the clean flow)
        KernelLab.Proc a = lab.netload(lossyCg, lossy, "server", "--host", "0.0.0.0", "--conns", "4",
                "--reply", String.valueOf(LOSSY_REPLY));
        KernelLab.Proc b = lab.netload(cleanCg, clean, "server", "--host", "0.0.0.0", "--conns", "4",
                "--reply", "200000");
        int portA = a.awaitReady();
        int portB = b.awaitReady();
        lab.netload(clientCg, null, "client", "--host", "10.77.33.2", "--port", String.valueOf(portA), "--conns", "4",
                "--send", "10").awaitResult(Duration.ofSeconds(60));
        lab.netload(clientCg, null, "client", "--host", "10.77.34.2", "--port", String.valueOf(portB), "--conns", "4",
                "--send", "10").awaitResult(Duration.ofSeconds(60));
        a.awaitResult(Duration.ofSeconds(60));
        b.awaitResult(Duration.ofSeconds(60));
        long lossyRetrans = lab.tcpSnmp(lossy).get("RetransSegs") - lossyBefore.get("RetransSegs");
        long cleanRetrans = lab.tcpSnmp(clean).get("RetransSegs") - cleanBefore.get("RetransSegs");

        FlowKey lossyFlow = new FlowKey(lossyServer, InetAddress.getByName("10.77.33.1"), null, portA, 0,
                FlowKey.Direction.PASSIVE, FlowKey.Transport.TCP);
        FlowKey cleanFlow = new FlowKey(cleanServer, InetAddress.getByName("10.77.34.1"), null, portB, 0,
                FlowKey.Direction.PASSIVE, FlowKey.Transport.TCP);
        Map<FlowKey, FlowCounters> flows = settle(probes,
                f -> f.getOrDefault(lossyFlow, FlowCounters.ZERO).retransmits() >= lossyRetrans);
        System.out.printf("flows retransmits: lossy netns RetransSegs %d, flow %d; clean netns %d, flow %d%n",
                lossyRetrans, flows.get(lossyFlow).retransmits(), cleanRetrans, flows.get(cleanFlow).retransmits());
        assertThat(lossyRetrans).as("the drop rule made retransmits").isPositive();
        assertThat(flows.get(lossyFlow).retransmits()).isEqualTo(lossyRetrans);
        // each edge's flow has exactly its own namespace's retransmits: none of the lossy edge's leak to the other
        assertThat(flows.get(cleanFlow).retransmits()).isEqualTo(cleanRetrans);
        assertThat(cleanRetrans).as("retransmits without the drop rule").isLessThan(lossyRetrans);
        assertThat(flows.get(lossyFlow).bytesSent()).isEqualTo(4L * LOSSY_REPLY);

        // both servers unselected in one call: their flows and budgets leave the kernel, the client's stay
        probes.unselect(Set.of(lossyServer, cleanServer));
        FlowTable.Reading after = probes.readFlows();
        assertThat(after.flows().keySet()).noneMatch(k -> k.cgroup().equals(lossyServer)
                || k.cgroup().equals(cleanServer));
        assertThat(after.budgets()).doesNotContainKeys(lossyServer, cleanServer);
    }

    /**
     * Connections held open show in their flow while open (bytes and an RTT sample, at most one a second per socket),
     * and in the end exactly what the application wrote and read.
     */
    @Test
    void openConnectionsReachTheirFlowWhileOpen() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String clientNs = lab.netns("flo-a");
        String serverNs = lab.netns("flo-b");
        lab.veth(clientNs, serverNs, 38);
        Path clientCg = lab.cgroup("flo-client");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);
        probes.selectFlows(client, 16);
        int conns = 2;
        KernelLab.Proc srv = lab.netload(lab.cgroup("flo-server"), serverNs, "echo", "--host", "10.77.38.2",
                "--conns", String.valueOf(conns));
        int port = srv.awaitReady();
        KernelLab.Proc hold = lab.netload(clientCg, clientNs, "hold", "--host", "10.77.38.2", "--port",
                String.valueOf(port), "--conns", String.valueOf(conns), "--seconds", "4");
        hold.awaitReady();
        FlowKey toServer = new FlowKey(client, InetAddress.getByName("10.77.38.2"), null, port, 0,
                FlowKey.Direction.ACTIVE, FlowKey.Transport.TCP);

        Thread.sleep(2500);
        FlowCounters open = probes.readFlows().flows().getOrDefault(toServer, FlowCounters.ZERO);
        Map<String, Long> held = hold.awaitResult(Duration.ofSeconds(30));
        srv.awaitResult(Duration.ofSeconds(30));
        long bytes = 100L * conns * held.get("rounds"); // each round: 100 bytes out and echoed, per connection
        FlowCounters closed = settle(probes, f -> f.getOrDefault(toServer, FlowCounters.ZERO).bytesReceived() >= bytes)
                .get(toServer);
        System.out.println("flow while open " + open + ", closed " + closed + ", the client's own count " + bytes);

        assertThat(open.connections()).as("connections count when established").isEqualTo(conns);
        assertThat(open.bytesSent()).as("bytes while open, 2.5 s into 4 s").isPositive().isLessThan(bytes);
        assertThat(open.rtt().total()).as("an RTT sample per connection while open").isGreaterThanOrEqualTo(conns);
        assertThat(closed.bytesSent()).as("what the client wrote").isEqualTo(bytes);
        assertThat(closed.bytesReceived()).as("what the client read").isEqualTo(bytes);
        assertThat(closed.connections()).isEqualTo(conns);
    }

    /** The flows once done says so, or as they are after 5 s. */
    static Map<FlowKey, FlowCounters> settle(KernelProbes probes, Predicate<Map<FlowKey, FlowCounters>> done)
            throws InterruptedException {
        Map<FlowKey, FlowCounters> flows = probes.readFlows().flows();
        for (int i = 0; i < 50 && !done.test(flows); i++) {
            Thread.sleep(100);
            flows = probes.readFlows().flows();
        }
        return flows;
    }
}
