package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.NodeProbeState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.bpf.ProgramInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing of ours stays in the kernel: after detach, after close, and after SIGKILL of the loader. */
class DetachIT {
    private static final Pattern ID = Pattern.compile("\"id\":\\s*(\\d+)");
    /**
     * One link per program, however many probes name it (the shared programs); a netfilter program has four
     * (PRE_ROUTING and LOCAL_OUT, IPv4 and IPv6).
     */
    private static final int ALL_HOOKS = Arrays.stream(Probe.values()).flatMap(p -> p.hooks().stream()).distinct()
            .mapToInt(h -> h.kind() == Probe.AttachKind.NETFILTER ? 4 : 1).sum();
    private static KernelLab lab;

    @BeforeAll
    static void setUp() {
        lab = new KernelLab();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void detachRemovesEveryLinkAndCloseEveryProgram() {
        KernelCapabilities caps = KernelCapabilities.detect();
        List<Integer> progIds;
        try (KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), caps)) {
            for (Probe p : Probe.values()) {
                assertThat(probes.state(p).usable()).as(p + " on this kernel: " + probes.state(p)).isTrue();
                probes.attach(p);
                assertThat(probes.state(p).state()).isEqualTo(NodeProbeState.ATTACHED);
            }
            List<Integer> linkIds = probes.linkIds();
            progIds = probes.programs().stream().map(ProgramInfo::id).toList();
            assertThat(linkIds).hasSize(ALL_HOOKS);
            assertThat(bpftoolIds("link")).containsAll(linkIds);
            assertThat(bpftoolIds("prog")).containsAll(progIds);

            // packetDrops' program is its own (every other probe's programs are shared)
            probes.detach(Probe.PACKET_DROPS);
            Set<Integer> links = bpftoolIds("link");
            assertThat(links).containsAll(probes.linkIds());
            assertThat(probes.linkIds()).hasSize(ALL_HOOKS - 1);
            assertThat(links).as("packetDrops' link is gone").doesNotContainAnyElementsOf(
                    linkIds.stream().filter(id -> !probes.linkIds().contains(id)).toList());

            for (Probe p : Probe.values()) {
                probes.detach(p);
            }
            assertThat(probes.linkIds()).isEmpty();
            assertThat(bpftoolIds("link")).doesNotContainAnyElementsOf(linkIds);
            assertThat(bpftoolIds("prog")).as("programs stay loaded until close").containsAll(progIds);
        }
        awaitGone("prog", progIds);
    }

    @Test
    void sigkillOfTheLoaderLeavesNothingAttached() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        KernelLab.Proc child = new KernelLab.Proc("ProbeHolder", new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ProbeHolder.class.getName()).redirectErrorStream(true).start());
        try {
            String line;
            do {
                line = child.nextLine(Duration.ofSeconds(60));
            } while (!line.startsWith("IDS "));
            String[] parts = line.split(" ");
            List<Integer> progIds = Arrays.stream(parts[1].split(",")).map(Integer::valueOf).toList();
            List<Integer> linkIds = Arrays.stream(parts[2].split(",")).map(Integer::valueOf).toList();
            assertThat(linkIds).hasSize(ALL_HOOKS);
            assertThat(bpftoolIds("link")).containsAll(linkIds);
            assertThat(bpftoolIds("prog")).containsAll(progIds);

            KernelLab.sh("kill", "-KILL", String.valueOf(child.process.pid()));
            assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

            awaitGone("link", linkIds);
            awaitGone("prog", progIds);
        } finally {
            child.process.destroyForcibly();
        }
    }

    /** Links and programs are freed asynchronously after the last fd closes: poll briefly. */
    private static void awaitGone(String kind, List<Integer> ids) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Set<Integer> present = bpftoolIds(kind);
        while (present.stream().anyMatch(ids::contains) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            present = bpftoolIds(kind);
        }
        assertThat(present).as("bpftool " + kind + " show after the owner is gone").doesNotContainAnyElementsOf(ids);
    }

    static Set<Integer> bpftoolIds(String kind) {
        String json = KernelLab.sh("bpftool", kind, "show", "-j");
        Set<Integer> ids = new TreeSet<>();
        Matcher m = ID.matcher(json);
        while (m.find()) {
            ids.add(Integer.valueOf(m.group(1)));
        }
        return ids;
    }
}
