package dev.sonde.agent.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VerifierLogTest {

    private static final int EACCES = 13;

    @Test
    void theFirstProgramWithAVerifierLogIsTheOneRejectedWithItsLastLines() {
        Map<String, String> logs = new LinkedHashMap<>();
        logs.put("sonde_tcp_state", "");
        logs.put("sonde_dns_egress", IntStream.rangeClosed(1, 20).mapToObj(i -> "line " + i)
                .reduce("", (a, b) -> a + b + "\n\n"));
        logs.put("sonde_drops", "also a log");

        BpfException e = VerifierLog.rejection(logs, List.of("libbpf: prog 'sonde_drops': failed"), EACCES);

        assertThat(e).isInstanceOfSatisfying(VerifierRejectedException.class, v -> {
            assertThat(v.program()).isEqualTo("sonde_dns_egress");
            assertThat(v.logTail()).hasSize(VerifierLog.TAIL_LINES).startsWith("line 9").endsWith("line 20");
            assertThat(v.errno()).isEqualTo(EACCES);
        });
    }

    @Test
    void withoutVerifierLogsTheNewestProgramLibbpfNamesIsRejected() {
        List<String> libbpf = List.of("libbpf: prog 'sonde_tcp_state': BPF program load failed",
                "libbpf: prog 'sonde_sock_tx': -- BEGIN PROG LOAD LOG --", "libbpf: failed to load object 'sonde'");

        BpfException e = VerifierLog.rejection(Map.of("sonde_sock_tx", ""), libbpf, EACCES);

        assertThat(e).isInstanceOfSatisfying(VerifierRejectedException.class, v -> {
            assertThat(v.program()).isEqualTo("sonde_sock_tx");
            assertThat(v.logTail()).containsExactlyElementsOf(libbpf);
        });
    }

    @Test
    void aFailureNoProgramIsNamedInIsAPlainBpfException() {
        BpfException e = VerifierLog.rejection(Map.of(), List.of("libbpf: map 'flows': failed to create"), EACCES);

        assertThat(e).isNotInstanceOf(VerifierRejectedException.class)
                .hasMessageContaining("bpf_object__load").hasMessageContaining("map 'flows'");
        assertThat(e.errno()).isEqualTo(EACCES);
    }
}
