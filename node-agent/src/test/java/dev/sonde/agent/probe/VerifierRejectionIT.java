package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A program the verifier refuses (tcpRtt, built with SONDE_TEST_VERIFIER_REJECT) makes that probe
 * FAILED with the verifier log's last lines; the other probes load and work.
 */
class VerifierRejectionIT {

    @Test
    void rejectedProgramFailsItsProbeOnly() throws IOException {
        KernelLab.requireRoot();
        Path out = Files.createTempDirectory("sonde-bpf-reject");
        KernelLab.sh("make", "-s", "-C", System.getProperty("sonde.bpf.source"), "OUT=" + out,
                "GEN=" + System.getProperty("sonde.bpf.gen"), "EXTRA_CFLAGS=-DSONDE_TEST_VERIFIER_REJECT");
        Path object = out.resolve("sonde.bpf.o");
        KernelProbes.Config config = new KernelProbes.Config(object, true, 64, 1024, java.time.Duration.ofSeconds(5), 1024);
        try (KernelProbes probes = KernelProbes.load(config, KernelCapabilities.detect())) {
            ProbeAttachment rtt = probes.state(Probe.TCP_RTT);
            assertThat(rtt.state()).isEqualTo(NodeProbeState.FAILED);
            assertThat(rtt.message()).contains("sonde_tcp_rtt").containsIgnoringCase("invalid mem access");
            assertThat(rtt.message()).doesNotContain("\tat "); // a log tail, not a stack trace
            for (Probe p : Probe.values()) {
                if (p != Probe.TCP_RTT) {
                    assertThat(probes.state(p).state()).as(p.contractName()).isEqualTo(NodeProbeState.DETACHED);
                }
            }
            probes.attach(Probe.TCP_CONNECTIONS);
            assertThat(probes.state(Probe.TCP_CONNECTIONS).state()).isEqualTo(NodeProbeState.ATTACHED);
        } finally {
            try (var files = Files.list(out)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(out);
        }
    }
}
