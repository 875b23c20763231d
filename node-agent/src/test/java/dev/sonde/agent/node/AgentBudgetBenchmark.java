package dev.sonde.agent.node;

import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.CompiledProbe;
import dev.sonde.api.agent.CompiledSelector;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.testsupport.ClasspathResources;
import dev.sonde.testsupport.LocalPorts;
import dev.sonde.testsupport.OtelCollector;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's budget (RSS and CPU with 100 selected pods at 1,000 new connections/s and under connection churn,
 * AgentReport writes ≤ 1 per interval), measured on the agent as it ships ({@code java -jar sonde-node-agent.jar})
 * against the local control plane, side by side: the agent's JVM options without the flows probe, with it, and the
 * JVM's defaults with it. The loads are the same for all three: every selected pod talks to {@code bench.peers}
 * peers (server ports), the pods together at {@code bench.rate} new connections/s, so with flows the node holds
 * pods × peers flows; then one selected pod opens connections as fast as it can for the same time (the data-plane
 * benchmark's churn load, rrload.py, a 64 B request and response each, to a server in an unselected cgroup); then
 * 4 GB of bulk. Prints a Markdown table; hack/bench.sh puts it into docs/benchmarks.md. Not a test: it asserts
 * nothing.
 *
 * <p>System properties: {@code bench.agentJar}, {@code bench.agentJvmOptions} (space-separated),
 * {@code bench.candidateJvmOptions} (space-separated) and {@code bench.candidateJar}: when either is set, a
 * candidate agent (that jar, or the agent's, with those options, or the agent's) also runs, flows off and on,
 * right after the agent: JVM options or two builds compared side by side; {@code bench.pods} (100),
 * {@code bench.peers} (50), {@code bench.rate} (connections/s, 1000), {@code bench.seconds}
 * (per phase, 30), {@code bench.output} (Markdown file). Environment: KUBECONFIG, SONDE_HOST_NODE, SONDE_OTELCOL.
 * Needs iperf3.
 */
public final class AgentBudgetBenchmark {

    private static final long INTERVAL_MILLIS = 15_000;
    private static final long BULK_BYTES = 4_000_000_000L;
    private static final int IPERF_PORT = 15201;
    private static final String NAMESPACE = "sonde-bench-agent";
    private static final String TUNED = "agent JVM options";
    private static final String CANDIDATE = "candidate";
    private static final String DEFAULTS = "JVM defaults";
    /** One pod's load: connects at a rate, round robin over the peers' ports. */
    private static final String CLIENT = """
            import socket, sys, time
            rate, secs, ports = float(sys.argv[1]), float(sys.argv[2]), [int(p) for p in sys.argv[3].split(',')]
            n, start = 0, time.monotonic()
            while time.monotonic() - start < secs:
                due = int((time.monotonic() - start) * rate)
                while n < due:
                    socket.create_connection(('127.0.0.1', ports[n % len(ports)])).close()
                    n += 1
                time.sleep(0.005)
            print(n, flush=True)
            """;
    /** The churn load: the data-plane benchmark's request/response tool (test resource it/rrload.py). */
    private static final String RRLOAD = "/it/rrload.py";
    /** The peers: one listening socket per peer, each a port the kernel chose. */
    private static final String SERVER = """
            import selectors, socket, sys
            sel = selectors.DefaultSelector()
            ports = []
            for i in range(int(sys.argv[1])):
                ls = socket.socket()
                ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                ls.bind(('127.0.0.1', 0))
                ls.listen(4096)
                ls.setblocking(False)
                sel.register(ls, selectors.EVENT_READ)
                ports.append(str(ls.getsockname()[1]))
            print('READY ' + ','.join(ports), flush=True)
            while True:
                for key, _ in sel.select():
                    try:
                        key.fileobj.accept()[0].close()
                    except BlockingIOError:
                        pass
            """;

    private AgentBudgetBenchmark() {
    }

    /** One variant's measurements. */
    record Result(String variant, boolean flows, double rssSteadyMib, double rssAfterLoadMib, double idleCpuPercent,
            double loadCpuPercent, long connections, double cpuMsPerThousand, double churnPerSecond,
            double churnCpuPercent, double writesPerInterval,
            double minWriteGapSeconds, double cpuMsPerGigabyte, int gcPauses,
            double gcPauseMaxMs, double gcPauseTotalMs) {
    }

    public static void main(String[] args) throws Exception {
        int pods = Integer.getInteger("bench.pods", 100);
        int rate = Integer.getInteger("bench.rate", 1000);
        int peers = Integer.getInteger("bench.peers", 50);
        int seconds = Integer.getInteger("bench.seconds", 30);
        Path jar = Path.of(System.getProperty("bench.agentJar", "target/sonde-node-agent.jar")).toAbsolutePath();
        List<String> tuned = jvmOptions("bench.agentJvmOptions");
        String candidateJarProperty = System.getProperty("bench.candidateJar", "");
        Path candidateJar = candidateJarProperty.isBlank() ? null : Path.of(candidateJarProperty).toAbsolutePath();
        List<String> candidateOptions = jvmOptions("bench.candidateJvmOptions");
        boolean candidate = candidateJar != null || !candidateOptions.isEmpty();
        String node = System.getenv().getOrDefault("SONDE_HOST_NODE", hostname());
        Path kubeconfig = Path.of(System.getenv("KUBECONFIG"));
        LocalNode.requireRoot(AgentBudgetBenchmark.class);

        List<Result> results = new ArrayList<>();
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                OtelCollector collector = OtelCollector.start();
                KubeletCgroups kubelet = new KubeletCgroups(KernelCapabilities.detect().cgroup2Mount().orElseThrow())) {
            TestNamespace ns = new TestNamespace(NAMESPACE);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                    .build()).serverSideApply();
            List<Path> cgroups = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                Pod pod = LocalNode.createPod(client, ns, node, "bench-" + i, "bench");
                cgroups.add(kubelet.besteffortContainer(pod.getMetadata().getUid()));
            }
            Process server = kubelet.runIn(kubelet.besteffortContainer("unselected-server"), "python3", "-c", SERVER,
                    String.valueOf(peers));
            String ports = ready(server);
            Path rrload = ClasspathResources.toTempFile(AgentBudgetBenchmark.class, RRLOAD);
            Process churnServer = kubelet.runIn(kubelet.besteffortContainer("unselected-churn"), "python3",
                    rrload.toString(), "server", "--mode", "churn", "--host", "127.0.0.1");
            int churnPort = Integer.parseInt(ready(churnServer));
            Load load = new Load(kubelet, cgroups, ports, rate, seconds, rrload, churnPort);
            CompiledExport export = new CompiledExport(new CompiledExport.Otlp(collector.grpcEndpoint(),
                    OtlpProtocol.GRPC, null), true);
            for (boolean flows : List.of(false, true)) {
                List<CompiledProbe> probes = Arrays.stream(ProbeName.values())
                        .filter(p -> flows || p != ProbeName.FLOWS).map(CompiledProbe::of).toList();
                LocalNode.writeConfig(client, ns, AgentConfig.of(List.of(new CompiledMonitor(NAMESPACE, "bench",
                        "uid-bench", 0, "standard", INTERVAL_MILLIS, probes, List.of(NAMESPACE),
                        new CompiledSelector(Map.of("app", "bench"), List.of()), null, export))));
                results.add(measure(TUNED, flows, tuned, jar, kubeconfig, node, pods, client, load));
                if (candidate) {
                    results.add(measure(CANDIDATE, flows, candidateOptions.isEmpty() ? tuned : candidateOptions,
                            candidateJar == null ? jar : candidateJar, kubeconfig, node, pods, client, load));
                }
            }
            results.add(measure(DEFAULTS, true, List.of(), jar, kubeconfig, node, pods, client, load));
            server.destroy();
            churnServer.destroy();
        } finally {
            try (KubernetesClient client = new KubernetesClientBuilder().build()) {
                client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
                client.namespaces().withName(NAMESPACE).delete();
            }
        }
        String table = table(results, pods, peers, rate, seconds, tuned, candidateOptions, candidateJar);
        System.out.println(table);
        String output = System.getProperty("bench.output");
        if (output != null) {
            Files.createDirectories(Path.of(output).toAbsolutePath().getParent());
            Files.writeString(Path.of(output), table);
        }
    }

    /**
     * The connection load: every pod's share of the rate, round robin over the peers.
     *
     * @param ports the peers' ports, comma-separated
     */
    private record Load(KubeletCgroups kubelet, List<Path> cgroups, String ports, int rate, int seconds, Path rrload,
            int churnPort) {

        /** Runs the load to its end; the connections made. */
        long run() throws Exception {
            List<Process> clients = new ArrayList<>();
            for (Path cgroup : cgroups) {
                clients.add(kubelet.runIn(cgroup, "python3", "-c", CLIENT, String.valueOf((double) rate / cgroups.size()),
                        String.valueOf(seconds), ports));
            }
            long connections = 0;
            for (Process c : clients) {
                if (!c.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                    clients.forEach(Process::destroyForcibly);
                    throw new IllegalStateException("load generator did not finish");
                }
                connections += Long.parseLong(new String(c.getInputStream().readAllBytes()).strip());
            }
            return connections;
        }

        /**
         * The churn: the first pod opens connections to the churn server back to back for {@code seconds}.
         *
         * @return the connections it opened per second
         */
        double churn() throws Exception {
            Process c = kubelet.runIn(cgroups.getFirst(), "python3", rrload.toString(), "client", "--mode", "churn",
                    "--host", "127.0.0.1", "--port", String.valueOf(churnPort), "--seconds", String.valueOf(seconds));
            if (!c.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                c.destroyForcibly();
                throw new IllegalStateException("churn load did not finish");
            }
            String out = new String(c.getInputStream().readAllBytes()).strip();
            if (c.exitValue() != 0) {
                throw new IllegalStateException("churn load failed: " + out);
            }
            var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
            return result.path("conns").asLong() * 1e9 / result.path("elapsed_ns").asLong();
        }
    }

    /** What a load server printed after {@code READY } on its first line: its port or ports, comma-separated. */
    private static String ready(Process server) throws IOException {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine();
        if (line == null || !line.startsWith("READY ")) {
            throw new IllegalStateException("a load server did not start: " + line);
        }
        return line.substring("READY ".length()).strip();
    }

    private static Result measure(String variant, boolean flows, List<String> jvmOptions, Path jar, Path kubeconfig,
            String node, int pods, KubernetesClient client, Load load) throws Exception {
        KubeletCgroups kubelet = load.kubelet();
        Path clientCgroup = load.cgroups().getFirst();
        int seconds = load.seconds();
        String name = variant + (flows ? "-flows" : "");
        Path gcLog = Path.of("target", "bench", "agent-gc-" + name.replaceAll("\\W+", "-") + ".log")
                .toAbsolutePath();
        Files.createDirectories(gcLog.getParent());
        Files.deleteIfExists(gcLog);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Xlog:gc:file=" + gcLog, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(gcLog.resolveSibling("agent-" + name.replaceAll("\\W+", "-") + ".log").toFile());
        builder.environment().putAll(Map.of("NODE_NAME", node, "SONDE_NAMESPACE", NAMESPACE,
                "KUBECONFIG", kubeconfig.toString(), "SONDE_METRICS_ADDRESS", "127.0.0.1:" + LocalPorts.freeLoopbackPort()));
        client.resources(AgentReport.class).inNamespace(NAMESPACE).withName(node).delete();
        Process agent = builder.start();
        try {
            LocalNode.awaitReport(client, new TestNamespace(NAMESPACE), node,
                    r -> !r.getSpec().getMonitors().isEmpty() && r.getSpec().getMonitors().getFirst().getPods() == pods,
                    "the agent selected all " + pods + " pods");
            Thread.sleep(4 * INTERVAL_MILLIS); // steady state: a few report and export cycles
            AtomicInteger writes = new AtomicInteger();
            List<Long> writeTimes = java.util.Collections.synchronizedList(new ArrayList<>());
            long measuredFrom = System.nanoTime();
            try (Watch watch = client.resources(AgentReport.class).inNamespace(NAMESPACE).withName(node)
                    .watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, AgentReport report) {
                            // a watch opens with the current object as ADDED: not a write
                            if (action == Action.MODIFIED) {
                                writes.incrementAndGet();
                                writeTimes.add(System.nanoTime());
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                        }
                    })) {
                double rssSteady = rssMib(agent.pid());
                long idleStart = cpuMillis(agent.pid());
                Thread.sleep(seconds * 1000L);
                long idleCpu = cpuMillis(agent.pid()) - idleStart;

                long loadStart = cpuMillis(agent.pid());
                long connections = load.run();
                long loadCpu = cpuMillis(agent.pid()) - loadStart;

                long churnStart = cpuMillis(agent.pid());
                long churnWall = System.nanoTime();
                double churnRate = load.churn();
                double churnCpuPercent = 100.0 * (cpuMillis(agent.pid()) - churnStart)
                        / ((System.nanoTime() - churnWall) / 1e6);

                // bulk: iperf3 from the selected pod to a server in an unselected cgroup, over loopback
                Process sink = kubelet.runIn(kubelet.besteffortContainer("unselected-sink"), "iperf3", "-s", "-1",
                        "-p", String.valueOf(IPERF_PORT));
                Thread.sleep(500);
                long bulkStart = cpuMillis(agent.pid());
                Process bulk = kubelet.runIn(clientCgroup, "iperf3", "-c", "127.0.0.1", "-p",
                        String.valueOf(IPERF_PORT), "-n", BULK_BYTES + "", "-J");
                if (!bulk.waitFor(300, TimeUnit.SECONDS) || bulk.exitValue() != 0) {
                    throw new IllegalStateException("iperf3 failed: " + new String(bulk.getInputStream().readAllBytes()));
                }
                long bulkCpu = cpuMillis(agent.pid()) - bulkStart;
                sink.destroy();
                Thread.sleep(INTERVAL_MILLIS); // the loads' counts go through one more report
                double rssAfter = rssMib(agent.pid());
                double measuredIntervals = (System.nanoTime() - measuredFrom) / 1e6 / INTERVAL_MILLIS;
                double[] gc = gcPauses(gcLog);
                return new Result(variant, flows, rssSteady, rssAfter, 100.0 * idleCpu / (seconds * 1000.0),
                        100.0 * loadCpu / (seconds * 1000.0), connections,
                        loadCpu / (connections / 1000.0), churnRate, churnCpuPercent, writes.get() / measuredIntervals,
                        minGapSeconds(writeTimes), bulkCpu / (BULK_BYTES / 1e9), (int) gc[0], gc[1], gc[2]);
            }
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The shortest time between two consecutive AgentReport writes: at most one per interval means ≥ 15 s. */
    private static double minGapSeconds(List<Long> times) {
        double min = Double.NaN;
        for (int i = 1; i < times.size(); i++) {
            double gap = (times.get(i) - times.get(i - 1)) / 1e9;
            min = Double.isNaN(min) ? gap : Math.min(min, gap);
        }
        return min;
    }

    /** Count, max and total of the GC pauses in a {@code -Xlog:gc} file, in ms. */
    static double[] gcPauses(Path log) throws IOException {
        double count = 0;
        double max = 0;
        double total = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.contains(" Pause ") && line.endsWith("ms")) {
                double ms = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1, line.length() - 2));
                count++;
                max = Math.max(max, ms);
                total += ms;
            }
        }
        return new double[] {count, max, total};
    }

    private static double rssMib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElseThrow() / 1024.0;
    }

    /** utime + stime of a process, in ms (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    private static String hostname() {
        try {
            return new String(new ProcessBuilder("hostname", "-s").start().getInputStream().readAllBytes()).strip();
        } catch (IOException e) {
            throw new IllegalStateException("set SONDE_HOST_NODE", e);
        }
    }

    static String table(List<Result> results, int pods, int peers, int rate, int seconds, List<String> tuned,
            List<String> candidate, Path candidateJar) {
        StringBuilder b = new StringBuilder();
        b.append("Agent: ").append(pods).append(" selected pods, all seven probes (and flows where it says so), 15 s ")
                .append("interval, OTLP to a local Collector and Prometheus on; load: ").append(rate)
                .append(" new connections/s for ").append(seconds).append(" s from all the selected pods together, ")
                .append("each to ").append(peers).append(" peers (").append(pods * peers)
                .append(" flows with the flows probe); then connection churn for ").append(seconds)
                .append(" s from one selected pod (rrload.py, back to back, a new connection per 64 B request and ")
                .append("response); then 4 GB with iperf3 from the same pod. ")
                .append("Agent JVM options: `").append(String.join(" ", tuned)).append("`.");
        if (!candidate.isEmpty()) {
            b.append(" Candidate JVM options: `").append(String.join(" ", candidate)).append("`.");
        }
        if (candidateJar != null) {
            b.append(" Candidate jar: `").append(candidateJar).append("`.");
        }
        b.append("\n\n");
        b.append("| JVM | flows | RSS steady (MiB) | RSS after load (MiB) | CPU idle (% of a core) | CPU at load (% of a core) "
                + "| connections | CPU ms per 1,000 connections | churn (new connections/s) "
                + "| CPU during churn (% of a core) | CPU ms per GB sent (iperf3, 4 GB) "
                + "| AgentReport writes per interval | shortest gap between writes (s) "
                + "| GC pauses (count / max ms / total ms) |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            b.append(String.format(
                    "| %s | %s | %.0f | %.0f | %.2f | %.2f | %d | %.1f | %.0f | %.2f | %.1f | %.2f | %.1f "
                            + "| %d / %.1f / %.1f |%n",
                    r.variant(), r.flows() ? "on" : "off", r.rssSteadyMib(), r.rssAfterLoadMib(), r.idleCpuPercent(), r.loadCpuPercent(),
                    r.connections(), r.cpuMsPerThousand(), r.churnPerSecond(), r.churnCpuPercent(),
                    r.cpuMsPerGigabyte(), r.writesPerInterval(),
                    r.minWriteGapSeconds(),
                    r.gcPauses(), r.gcPauseMaxMs(), r.gcPauseTotalMs()));
        }
        Result off = find(results, TUNED, false);
        Result on = find(results, TUNED, true);
        Result d = find(results, DEFAULTS, true);
        if (off != null && on != null && d != null) {
            b.append(String.format("%nRatios: flows on / off (agent options): RSS after load %.2f, CPU at load %.2f; "
                    + "agent options / defaults (flows on): RSS steady %.2f, CPU at load %.2f.%n",
                    on.rssAfterLoadMib() / off.rssAfterLoadMib(), on.loadCpuPercent() / Math.max(0.01,
                            off.loadCpuPercent()), on.rssSteadyMib() / d.rssSteadyMib(),
                    on.loadCpuPercent() / Math.max(0.01, d.loadCpuPercent())));
        }
        for (boolean flows : List.of(false, true)) {
            Result t = find(results, TUNED, flows);
            Result c = find(results, CANDIDATE, flows);
            if (t != null && c != null) {
                b.append(String.format("Candidate / agent (flows %s): RSS steady %.2f, RSS after load %.2f, "
                        + "CPU at load %.2f, CPU during churn %.2f, GC pauses total %.2f.%n", flows ? "on" : "off",
                        c.rssSteadyMib() / t.rssSteadyMib(), c.rssAfterLoadMib() / t.rssAfterLoadMib(),
                        c.loadCpuPercent() / Math.max(0.01, t.loadCpuPercent()),
                        c.churnCpuPercent() / Math.max(0.01, t.churnCpuPercent()),
                        c.gcPauseTotalMs() / Math.max(0.01, t.gcPauseTotalMs())));
            }
        }
        return b.toString();
    }

    private static Result find(List<Result> results, String variant, boolean flows) {
        return results.stream().filter(r -> r.variant().equals(variant) && r.flows() == flows).findFirst()
                .orElse(null);
    }

    private static List<String> jvmOptions(String property) {
        return Arrays.stream(System.getProperty(property, "").split("\\s+")).filter(s -> !s.isBlank()).toList();
    }
}
