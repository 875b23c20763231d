package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * tcpRtt on long-lived connections: connections held open across several windows show RTT samples in every
 * window, and they agree with the kernel's own srtt of those sockets ({@code ss -ti}, read through each window):
 * the median sample lies within one log2 bucket of the median srtt. (Single readings can't be compared one to one:
 * srtt moves between a sample and a read, by several buckets on a busy 2-core VM.)
 */
class TcpRttIT {
    private static final int CONNS = 4;
    private static final int WINDOWS = 3;
    private static final Duration WINDOW = Duration.ofMillis(1500);
    private static final Pattern SS_RTT = Pattern.compile("\\brtt:([0-9.]+)/");

    @RegisterExtension
    static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_RTT);

    @Test
    void openConnectionsReportRttEveryWindowAsTheKernelSeesIt() throws Exception {
        KernelLab lab = kernel.lab();
        KernelProbes probes = kernel.probes();
        String clientNs = lab.netns("rtt-a");
        String serverNs = lab.netns("rtt-b");
        lab.veth(clientNs, serverNs, 35);
        Path clientCg = lab.cgroup("rtt-client");
        Path serverCg = lab.cgroup("rtt-server");
        CgroupId client = CgroupId.of(clientCg);
        probes.select(client, 1);

        KernelLab.Proc srv = lab.netload(serverCg, serverNs, "echo", "--host", "10.77.35.2", "--conns",
                String.valueOf(CONNS));
        int port = srv.awaitReady();
        double seconds = (WINDOWS + 2) * WINDOW.toMillis() / 1000.0;
        KernelLab.Proc hold = lab.netload(clientCg, clientNs, "hold", "--host", "10.77.35.2", "--port",
                String.valueOf(port), "--conns", String.valueOf(CONNS), "--seconds", String.valueOf(seconds));
        hold.awaitReady();
        Thread.sleep(WINDOW.toMillis() / 2);

        List<KernelHistogram> windows = new ArrayList<>();
        List<Long> kernelSrtts = new ArrayList<>();
        ProbeCounters last = ProbeAssertions.counters(probes, client);
        for (int w = 0; w < WINDOWS; w++) {
            for (int read = 0; read < 6; read++) {
                Thread.sleep(WINDOW.toMillis() / 6);
                kernelSrtts.addAll(ssSrttMicros(clientNs, port));
            }
            ProbeCounters now = ProbeAssertions.counters(probes, client);
            windows.add(now.minus(last).rtt());
            last = now;
        }
        hold.awaitResult(Duration.ofSeconds(30));
        srv.awaitResult(Duration.ofSeconds(30));
        System.out.println("tcpRtt windows " + windows + ", ss srtt µs " + kernelSrtts);

        assertThat(kernelSrtts).as("ss sees the held connections").hasSizeGreaterThanOrEqualTo(CONNS * WINDOWS);
        KernelHistogram all = KernelHistogram.EMPTY;
        for (KernelHistogram window : windows) {
            // one sample per connection per second: at least one per connection in a 1.5 s window
            assertThat(window.total()).as("RTT samples of the open connections in window " + window)
                    .isGreaterThanOrEqualTo(CONNS);
            all = all.plus(window);
        }
        long ssMedian = kernelSrtts.stream().sorted().toList().get(kernelSrtts.size() / 2);
        int sampleMedianBucket = medianBucket(all);
        System.out.printf("tcpRtt: median sample in bucket %d, ss median srtt %d µs (bucket %d)%n", sampleMedianBucket,
                ssMedian, bucketOf(ssMedian));
        assertThat(sampleMedianBucket).as("median RTT sample's bucket against ss's median srtt " + ssMedian + " µs")
                .isBetween(bucketOf(ssMedian) - 1, bucketOf(ssMedian) + 1);
    }

    private static int medianBucket(KernelHistogram h) {
        long seen = 0;
        for (int b = 0; b < KernelHistogram.BUCKETS; b++) {
            seen += h.count(b);
            if (2 * seen > h.total()) {
                return b;
            }
        }
        throw new AssertionError("empty histogram");
    }

    /** The kernel's log2_bucket(): 0 -> 0, [2^(i-1), 2^i) -> i. */
    private static int bucketOf(long micros) {
        return Math.min(64 - Long.numberOfLeadingZeros(micros), KernelHistogram.BUCKETS - 1);
    }

    /** The smoothed RTT the kernel reports for the client's connections to the port, in microseconds. */
    private static List<Long> ssSrttMicros(String ns, int port) {
        String ss = KernelLab.sh("ip", "netns", "exec", ns, "ss", "-tinH", "state", "established",
                "dport = :" + port);
        List<Long> out = new ArrayList<>();
        Matcher m = SS_RTT.matcher(ss);
        while (m.find()) {
            out.add(Math.round(Double.parseDouble(m.group(1)) * 1000));
        }
        return out;
    }
}
