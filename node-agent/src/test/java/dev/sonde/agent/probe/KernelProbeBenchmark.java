package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfMap;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.BpfStats;
import dev.sonde.agent.bpf.FfmCallCost;
import dev.sonde.agent.bpf.ProgramInfo;
import dev.sonde.testsupport.ClasspathResources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints Markdown tables for docs/benchmarks.md (not a test: nothing here asserts on time).
 * Run as root: {@code ./mvnw -B -pl node-agent -Pbench verify} (see docs/benchmarks.md).
 *
 * <ol>
 * <li>per-program cost from the kernel's own statistics (BPF_ENABLE_STATS: run_time_ns / run_cnt)
 * under connection churn and bulk transfer, for selected and unselected cgroups;</li>
 * <li>batch vs per-key read of 100k per-CPU entries;</li>
 * <li>FFM call overhead vs the raw bpf(2) syscall.</li>
 * </ol>
 */
public final class KernelProbeBenchmark {
    private static final int CHURN = Integer.getInteger("bench.churn", 3000);
    private static final long BULK = Long.getLong("bench.bulkBytes", 1L << 30);
    private static final int ENTRIES = 100_000;

    private KernelProbeBenchmark() {
    }

    public static void main(String[] args) throws Throwable {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Kernel %s, %d CPUs, %s%n%n", KernelCapabilities.detect().kernelRelease(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
        programCost(md);
        mapReads(md);
        System.out.println(md);
    }

    @SuppressWarnings("try") // stats only has to stay open while the load runs
    private static void programCost(StringBuilder md) {
        try (KernelLab lab = new KernelLab(); BpfStats stats = BpfStats.enable();
                KernelProbes probes = KernelProbes.load(KernelProbes.Config.defaults(), KernelCapabilities.detect())) {
            for (Probe p : Probe.values()) {
                probes.attach(p);
            }
            String a = lab.netns("bench-a");
            String b = lab.netns("bench-b");
            lab.veth(a, b, 40);
            Path selected = lab.cgroup("bench-selected");
            Path unselected = lab.cgroup("bench-unselected");
            probes.select(CgroupId.of(selected), 1);
            probes.selectDnsPorts(CgroupId.of(selected), java.util.Set.of(53));

            md.append("### Per-program cost (kernel run_time_ns / run_cnt)\n\n");
            md.append("| load | cgroup | program | runs | avg ns/run |\n|---|---|---|---:|---:|\n");
            for (Path cg : List.of(unselected, selected)) {
                String who = cg == selected ? "selected" : "unselected";
                run(md, probes, "churn " + CHURN + " conns", who, () -> {
                    KernelLab.Proc srv = lab.netload(cg, b, "server", "--host", "10.77.40.2", "--conns", String.valueOf(CHURN), "--reply", "100");
                    int port = srv.awaitReady();
                    lab.netload(cg, a, "client", "--host", "10.77.40.2", "--port", String.valueOf(port),
                            "--conns", String.valueOf(CHURN), "--send", "100").awaitResult(Duration.ofMinutes(10));
                    srv.awaitResult(Duration.ofMinutes(1));
                });
                run(md, probes, "bulk " + (BULK >> 20) + " MiB", who, () -> {
                    KernelLab.Proc srv = lab.netload(cg, b, "server", "--host", "10.77.40.2", "--conns", "1");
                    int port = srv.awaitReady();
                    lab.netload(cg, a, "client", "--host", "10.77.40.2", "--port", String.valueOf(port),
                            "--send", String.valueOf(BULK)).awaitResult(Duration.ofMinutes(10));
                    srv.awaitResult(Duration.ofMinutes(1));
                });
            }
            md.append('\n');
        }
    }

    private static void run(StringBuilder md, KernelProbes probes, String load, String who, Runnable work) {
        Map<String, ProgramInfo> before = new HashMap<>();
        probes.programs().forEach(p -> before.put(p.program(), p));
        work.run();
        for (ProgramInfo after : probes.programs()) {
            ProgramInfo b = before.get(after.program());
            long runs = after.runCount() - b.runCount();
            long ns = after.runTimeNs() - b.runTimeNs();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s |%n", load, who, after.program(), runs,
                    runs == 0 ? "-" : String.format(Locale.ROOT, "%.0f", (double) ns / runs)));
        }
    }

    private static void mapReads(StringBuilder md) throws Throwable {
        Path object = ClasspathResources.toTempFile(KernelProbeBenchmark.class, "/bpf/sonde.bpf.o");
        try (BpfObject obj = BpfObject.open(object)) {
            obj.setMaxEntries("metrics", 131072);
            obj.load();
            BpfMap metrics = obj.map("metrics");
            byte[] value = new byte[metrics.valueBytes()];
            ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).putLong(0, 1);
            byte[] key = null;
            for (int i = 0; i < ENTRIES; i++) {
                key = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(1000 + i).putInt(1).putInt(0).array();
                metrics.update(key, value, BpfMap.UpdateMode.ANY);
            }
            md.append("### Reading ").append(ENTRIES).append(" per-CPU entries (").append(BpfMap.possibleCpus())
                    .append(" possible CPUs)\n\n| method | entries | ms |\n|---|---:|---:|\n");
            for (int warm = 0; warm < 3; warm++) {
                metrics.readAll();
            }
            int rounds = 5;
            long t0 = System.nanoTime();
            int n = 0;
            for (int r = 0; r < rounds; r++) {
                n = metrics.readAll().count();
            }
            double batchMs = (System.nanoTime() - t0) / 1e6 / rounds;
            long t1 = System.nanoTime();
            int m = metrics.readKeyByKey().count();
            double keyMs = (System.nanoTime() - t1) / 1e6;
            md.append(String.format(Locale.ROOT, "| bpf_map_lookup_batch (BpfMap.readAll, default chunk) | %d | %.1f |%n", n, batchMs));
            md.append(String.format(Locale.ROOT, "| get_next_key + lookup per key (BpfMap.readKeyByKey) | %d | %.1f |%n", m, keyMs));
            md.append(String.format(Locale.ROOT, "| of which bpf_map_lookup_batch calls only (no copy into Java) | %d | %.1f |%n", n,
                    FfmCallCost.batchFetchMs(metrics, rounds)));
            for (int chunk : new int[] {1024, 65536}) {
                md.append(String.format(Locale.ROOT, "| bpf_map_lookup_batch, %d entries per call | %d | %.1f |%n", chunk, n,
                        FfmCallCost.batchReadMs(metrics, chunk, rounds)));
            }
            md.append('\n');

            md.append("### One map lookup through each layer\n\n| call | ns/call |\n|---|---:|\n");
            for (FfmCallCost.Result r : FfmCallCost.measure(metrics, key, 1_000_000)) {
                md.append(String.format(Locale.ROOT, "| %s | %.0f |%n", r.what(), r.nsPerCall()));
            }
        }
    }
}
