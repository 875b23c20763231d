package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.bpf.KernelBtf;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** packetDrops: datagrams an nftables rule drops on output, by drop reason, against the rule's counter. */
class PacketDropsIT {
    private static final int N = 25;

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.PACKET_DROPS);

    @Test
    void countsDropsByReasonForTheSendingSocketsCgroup() {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        int netfilterDrop;
        try (KernelBtf btf = KernelBtf.loadVmlinux()) {
            netfilterDrop = btf.enumValues("skb_drop_reason").entrySet().stream()
                    .filter(e -> e.getValue().equals("SKB_DROP_REASON_NETFILTER_DROP")).findFirst().orElseThrow().getKey();
        }
        String a = lab.netns("drop-a");
        String b = lab.netns("drop-b");
        lab.veth(a, b, 34);
        Path clientCg = lab.cgroup("drop-client");
        Path otherCg = lab.cgroup("drop-other");
        CgroupId client = CgroupId.of(clientCg);
        CgroupId other = CgroupId.of(otherCg);
        probes.select(client, 1);
        lab.nft(a, """
                table inet sonde_it {
                  chain out {
                    type filter hook output priority 0; policy accept;
                    udp dport 9999 counter drop
                  }
                }
                """);

        Map<String, Long> seen = lab.netload(clientCg, a, "udp", "--host", "10.77.34.2", "--port", "9999",
                "--count", String.valueOf(N)).awaitResult(Duration.ofSeconds(30));
        lab.netload(otherCg, a, "udp", "--host", "10.77.34.2", "--port", "9999",
                "--count", String.valueOf(N)).awaitResult(Duration.ofSeconds(30));

        assertThat(seen.get("failed")).as("sendto sees EPERM for each dropped datagram").isEqualTo(N);
        String ruleset = KernelLab.sh("ip", "netns", "exec", a, "nft", "list", "table", "inet", "sonde_it");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(ruleset);
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("nft counter: both cgroups").isEqualTo(2L * N);

        ProbeCounters c = ProbeAssertions.settle(probes, client, x -> x.drops() >= N);
        assertThat(c.dropsByReason()).containsEntry(netfilterDrop, (long) N);
        assertThat(probes.readCounters()).doesNotContainKey(other);
    }
}
