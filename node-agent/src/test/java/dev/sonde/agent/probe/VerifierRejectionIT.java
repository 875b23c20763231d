package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A program the verifier refuses (sonde_tcp_state with tcpRtt's part built with SONDE_TEST_VERIFIER_REJECT) makes the
 * probes with a part in it FAILED with the verifier log's last lines; the other probes load and work.
 */
class VerifierRejectionIT {
    private static final Set<Probe> SHARING_TCP_STATE = EnumSet.of(Probe.TCP_CONNECTIONS, Probe.TCP_RTT, Probe.FLOWS);

    @Test
    void rejectedProgramFailsTheProbesSharingItOnly() throws IOException {
        KernelLab.requireRoot();
        Path out = Files.createTempDirectory("sonde-bpf-reject");
        KernelLab.sh("make", "-s", "-C", System.getProperty("sonde.bpf.source"), "OUT=" + out,
                "GEN=" + System.getProperty("sonde.bpf.gen"), "EXTRA_CFLAGS=-DSONDE_TEST_VERIFIER_REJECT");
        Path object = out.resolve("sonde.bpf.o");
        KernelProbes.Config config = new KernelProbes.Config(object, true, 64, 1024, java.time.Duration.ofSeconds(5), 1024);
        try (KernelProbes probes = KernelProbes.load(config, KernelCapabilities.detect())) {
            for (Probe p : SHARING_TCP_STATE) {
                ProbeAttachment failed = probes.state(p);
                assertThat(failed.state()).as(p.contractName()).isEqualTo(NodeProbeState.FAILED);
                assertThat(failed.message()).contains("sonde_tcp_state").containsIgnoringCase("invalid mem access");
                assertThat(failed.message()).doesNotContain("\tat "); // a log tail, not a stack trace
            }
            for (Probe p : EnumSet.complementOf(EnumSet.copyOf(SHARING_TCP_STATE))) {
                assertThat(probes.state(p).state()).as(p.contractName()).isEqualTo(NodeProbeState.DETACHED);
            }
            // traffic shares the send and receive programs with flows, which were not rejected
            probes.attach(Probe.TRAFFIC);
            assertThat(probes.state(Probe.TRAFFIC).state()).isEqualTo(NodeProbeState.ATTACHED);
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
