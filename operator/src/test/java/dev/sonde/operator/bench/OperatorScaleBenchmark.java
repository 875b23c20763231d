package dev.sonde.operator.bench;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.AgentReportSpec;
import dev.sonde.api.v1alpha1.Log2Histogram;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.NodeProbeState;
import dev.sonde.api.v1alpha1.NodeProbeStatus;
import dev.sonde.api.v1alpha1.ProbeName;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.api.v1alpha1.TrafficCounters;
import dev.sonde.operator.it.OperatorProcess;
import dev.sonde.operator.it.OperatorServiceAccount;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The operator at scale: N NetworkMonitors in M namespaces over K kwok nodes, pods that kwok keeps Running, and a
 * synthetic AgentReport per node every report interval, against an operator jar running as its own process under the
 * sonde-operator ServiceAccount. Prints Markdown tables (reconciles/s, API writes/s, heap, RSS, CPU, and status
 * convergence percentiles); asserts nothing about time.
 *
 * <p>Run through {@code hack/bench-operator.sh}, which brings up a separate control plane with the kwok nodes,
 * installs crds/ and config/rbac/, builds the jar and runs this class with {@code -Pbench}. Settings are environment
 * variables (see {@link Settings}). Every wait is bounded, and the whole run stops after {@code BENCH_MAX_SECONDS}.
 */
public final class OperatorScaleBenchmark {

    private static final String BENCH_LABEL = "sonde.dev/bench";
    private static final String AGENT_IMAGE = "registry.invalid/sonde-agent:bench";
    private static final List<String> PROFILES = List.of("bench-low-overhead", "bench-standard", "bench-deep-dive");

    /** What to create and how long to run; each from an environment variable with a default. */
    record Settings(int monitors, int namespaces, int nodes, int podsPerNode, int reportIntervalSeconds,
            int reportRounds, boolean reportAllMonitors, String operatorNamespace, List<String> operatorJvmOptions,
            int maxSeconds, Path output) {

        static Settings fromEnvironment() {
            return new Settings(
                    intEnv("BENCH_MONITORS", 500),
                    intEnv("BENCH_NAMESPACES", 50),
                    intEnv("BENCH_NODES", 200),
                    intEnv("BENCH_PODS_PER_NODE", 5),
                    intEnv("BENCH_REPORT_INTERVAL_SECONDS", 30),
                    intEnv("BENCH_REPORT_ROUNDS", 4),
                    Boolean.parseBoolean(env("BENCH_REPORT_ALL_MONITORS", "false")),
                    env("BENCH_OPERATOR_NAMESPACE", "sonde-system"),
                    List.of(env("BENCH_OPERATOR_JVM_OPTS", "").split("\\s+")).stream()
                            .filter(o -> !o.isEmpty()).toList(),
                    intEnv("BENCH_MAX_SECONDS", 540),
                    Path.of(env("BENCH_OUTPUT", "target/bench/operator-scale.md")));
        }

        int monitorsPerNamespace() {
            return Math.ceilDiv(monitors, namespaces);
        }

        int podsPerNamespace() {
            return Math.ceilDiv(nodes * podsPerNode, namespaces);
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        private static int intEnv(String name, int fallback) {
            return Integer.parseInt(env(name, String.valueOf(fallback)));
        }
    }

    /** One measured phase: counters before and after, and what the sampler saw in between. */
    record Phase(String name, double seconds, Map<String, Double> reconciles, double cpuSeconds, double heapPeak,
            double liveHeap, double rssPeak, Map<String, Double> writesBefore, Map<String, Double> writesAfter,
            double load1) {
    }

    /** A status latency measurement: what was requested, how many, and the latencies seen. */
    record Convergence(String what, int requested, List<Long> nanos) {
    }

    private final Settings settings;
    private final KubernetesClient admin;
    private final long deadline;
    private final List<String> nodeNames = new ArrayList<>();
    /** namespace/name -> uid of each benchmark monitor. */
    private final Map<String, String> monitorUids = new ConcurrentHashMap<>();
    /** node -> the monitors (namespace/name) with pods on it, and how many. */
    private final Map<String, Map<String, Integer>> monitorsByNode = new LinkedHashMap<>();
    private final List<Phase> phases = new ArrayList<>();
    private final List<Convergence> convergences = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Instant started = Instant.now();
    private OperatorProcess operator;
    private OperatorResources resources;

    private OperatorScaleBenchmark(Settings settings, KubernetesClient admin) {
        this.settings = settings;
        this.admin = admin;
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.maxSeconds());
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        int exit = 1;
        try (KubernetesClient admin = new KubernetesClientBuilder().build()) {
            new OperatorScaleBenchmark(settings, admin).run();
            exit = 0;
        } catch (Exception | Error e) {
            e.printStackTrace();
        } finally {
            // informer and HTTP client threads must not keep the JVM alive
            System.exit(exit);
        }
    }

    private void run() throws Exception {
        log("settings: " + settings);
        pickNodes();
        planLayout();
        createProfilesNamespacesAndPods();
        Path kubeconfig = operatorKubeconfig();
        operator = new OperatorProcess(kubeconfig, Path.of("target", "bench", "operator.log"),
                settings.operatorJvmOptions(),
                Map.of("sonde.operator.namespace", settings.operatorNamespace(),
                        "sonde.operator.agent.image", AGENT_IMAGE,
                        "quarkus.log.category.\"dev.sonde\".level", "WARN"));
        ConvergenceTracker created = new ConvergenceTracker();
        ConvergenceTracker settled = new ConvergenceTracker();
        ConvergenceTracker updated = new ConvergenceTracker();
        ConvergenceTracker reported = new ConvergenceTracker();
        SharedIndexInformer<NetworkMonitor> informer = admin.resources(NetworkMonitor.class).inAnyNamespace()
                .withLabel(BENCH_LABEL, "true").inform(created);
        informer.addEventHandler(settled);
        informer.addEventHandler(updated);
        informer.addEventHandler(reported);
        try {
            log("starting the operator (log: " + operator.log().toAbsolutePath() + ")");
            operator.start();
            resources = new OperatorResources(operator);
            sleepBounded(Duration.ofSeconds(10));

            phases.add(measure("idle: pods and profiles, no monitors", Duration.ofSeconds(15), () -> { }));
            phases.add(measure("create " + settings.monitors() + " monitors", Duration.ofSeconds(180),
                    () -> createMonitors(created, settled), created, settled));
            convergences.add(new Convergence("create -> first status (observedGeneration = generation, Ready set)",
                    settings.monitors(), created.latencies()));
            convergences.add(new Convergence("create -> settled (Ready reason other than ConfigPending)",
                    settings.monitors(), settled.latencies()));
            sleepBounded(Duration.ofSeconds(5));

            phases.add(measure("update " + settings.monitors() + " monitors' spec", Duration.ofSeconds(180),
                    () -> updateMonitors(updated), updated));
            convergences.add(new Convergence("spec update -> observedGeneration = new generation, Ready set",
                    settings.monitors(), updated.latencies()));
            sleepBounded(Duration.ofSeconds(5));

            writeReports(reported);
            notes.add("Ready reasons at the end: " + created.readyReasonCounts());
            double rssBefore = resources.rssBytes();
            try {
                double live = resources.liveHeapAfterFullGcBytes();
                notes.add(String.format(Locale.ROOT, "at the end: heap live after a full GC %.0f MiB "
                        + "(jcmd GC.class_histogram), RSS %.0f MiB before it", live / (1 << 20), rssBefore / (1 << 20)));
            } catch (IOException e) {
                notes.add("at the end: heap live after a full GC not measured: " + e.getMessage());
            }
        } finally {
            informer.close();
            if (resources != null) {
                resources.close();
            }
            boolean clean = operator.stop();
            log("operator stopped " + (clean ? "on SIGTERM" : "with SIGKILL"));
        }
        String report = render();
        System.out.println();
        System.out.println(report);
        Files.createDirectories(settings.output().toAbsolutePath().getParent());
        Files.writeString(settings.output(), report);
        log("tables written to " + settings.output().toAbsolutePath());
    }

    // --- workload ---

    private void pickNodes() {
        List<Node> kwok = admin.nodes().withLabel("type", "kwok").list().getItems();
        kwok.stream().map(n -> n.getMetadata().getName())
                .sorted(Comparator.comparingInt(OperatorScaleBenchmark::nodeNumber).thenComparing(n -> n))
                .limit(settings.nodes()).forEach(nodeNames::add);
        if (nodeNames.size() < settings.nodes()) {
            throw new IllegalStateException("the cluster has " + nodeNames.size() + " kwok nodes, the benchmark wants "
                    + settings.nodes() + ": hack/cluster.sh up --nodes " + settings.nodes());
        }
    }

    private static int nodeNumber(String name) {
        String digits = name.replaceAll("^.*?(\\d+)$", "$1");
        return digits.equals(name) ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    private String namespace(int i) {
        return "bench-%02d".formatted(i);
    }

    private String monitorName(int k) {
        return "nm-%02d".formatted(k);
    }

    private String profileOf(int namespace, int k) {
        return PROFILES.get((namespace * settings.monitorsPerNamespace() + k) % PROFILES.size());
    }

    /**
     * Pod p of namespace i has label app=app-(p mod monitorsPerNamespace) and runs on node (i * podsPerNamespace + p)
     * mod nodes; monitor k of a namespace selects app=app-k, so each monitor selects podsPerNamespace /
     * monitorsPerNamespace pods on as many nodes.
     */
    private void planLayout() {
        nodeNames.forEach(n -> monitorsByNode.put(n, new LinkedHashMap<>()));
        int created = 0;
        for (int i = 0; i < settings.namespaces(); i++) {
            for (int k = 0; k < settings.monitorsPerNamespace() && created < settings.monitors(); k++, created++) {
                String key = namespace(i) + "/" + monitorName(k);
                for (int p = k; p < settings.podsPerNamespace(); p += settings.monitorsPerNamespace()) {
                    monitorsByNode.get(podNode(i, p)).merge(key, 1, Integer::sum);
                }
            }
        }
    }

    private String podNode(int namespace, int p) {
        return nodeNames.get((namespace * settings.podsPerNamespace() + p) % nodeNames.size());
    }

    private void createProfilesNamespacesAndPods() throws Exception {
        // a reused cluster may hold a previous run's monitors and reports
        admin.resources(NetworkMonitor.class).inAnyNamespace().withLabel(BENCH_LABEL, "true").delete();
        admin.resources(AgentReport.class).inNamespace(settings.operatorNamespace()).delete();
        long cleanUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!admin.resources(NetworkMonitor.class).inAnyNamespace().withLabel(BENCH_LABEL, "true").list()
                .getItems().isEmpty() && System.nanoTime() < cleanUntil) {
            Thread.sleep(500);
        }
        for (String name : PROFILES) {
            ProbeProfile profile = Serialization.unmarshal(profileYaml(name), ProbeProfile.class);
            admin.resource(profile).forceConflicts().serverSideApply();
        }
        for (int i = 0; i < settings.namespaces(); i++) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace(i))
                    .addToLabels(BENCH_LABEL, "true").endMetadata().build()).serverSideApply();
        }
        int pods = settings.namespaces() * settings.podsPerNamespace();
        log("creating " + pods + " pods on " + nodeNames.size() + " kwok nodes");
        long t0 = System.nanoTime();
        parallel(8, pods, index -> {
            int i = index / settings.podsPerNamespace();
            int p = index % settings.podsPerNamespace();
            Pod pod = new PodBuilder().withNewMetadata().withName("app-%03d".formatted(p)).withNamespace(namespace(i))
                    .addToLabels("app", "app-" + (p % settings.monitorsPerNamespace()))
                    .addToLabels("tier", "bench").addToLabels(BENCH_LABEL, "true").endMetadata()
                    .withNewSpec().withNodeName(podNode(i, p))
                    .addNewToleration().withOperator("Exists").endToleration()
                    .addNewContainer().withName("app").withImage("registry.invalid/app:1").endContainer().endSpec()
                    .build();
            // the namespace's default ServiceAccount may not exist yet: the ServiceAccount admission refuses until then
            retry(() -> admin.pods().inNamespace(namespace(i)).resource(pod).serverSideApply());
        });
        long running = 0;
        long waitUntil = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(240));
        while (System.nanoTime() < waitUntil) {
            running = admin.pods().inAnyNamespace().withLabel(BENCH_LABEL, "true").list().getItems().stream()
                    .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count();
            if (running >= pods) {
                break;
            }
            Thread.sleep(2_000);
        }
        log("%d of %d pods Running after %.1fs".formatted(running, pods, (System.nanoTime() - t0) / 1e9));
        if (running < pods) {
            notes.add(running + " of " + pods + " pods were Running when the operator started");
        }
    }

    private Path operatorKubeconfig() {
        String token = admin.serviceAccounts().inNamespace(settings.operatorNamespace()).withName("sonde-operator")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build())
                .getStatus().getToken();
        return OperatorServiceAccount.kubeconfig(admin.getConfiguration(), token, settings.operatorNamespace(),
                Path.of("target", "bench", "operator.kubeconfig").toAbsolutePath());
    }

    private void createMonitors(ConvergenceTracker created, ConvergenceTracker settled) {
        List<String> keys = new ArrayList<>();
        for (int i = 0, n = 0; i < settings.namespaces(); i++) {
            for (int k = 0; k < settings.monitorsPerNamespace() && n < settings.monitors(); k++, n++) {
                keys.add(namespace(i) + "/" + monitorName(k));
            }
        }
        parallel(8, keys.size(), index -> {
            String key = keys.get(index);
            String ns = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            int i = Integer.parseInt(ns.substring("bench-".length()));
            int k = Integer.parseInt(name.substring("nm-".length()));
            NetworkMonitor monitor = Serialization.unmarshal("""
                    apiVersion: sonde.dev/v1alpha1
                    kind: NetworkMonitor
                    metadata:
                      name: %s
                      namespace: %s
                      labels: {%s: "true"}
                    spec:
                      profile: %s
                      podSelector:
                        matchLabels: {app: app-%d}
                    """.formatted(name, ns, BENCH_LABEL, profileOf(i, k), k), NetworkMonitor.class);
            long sent = System.nanoTime();
            created.expect(key, 1, false, sent);
            settled.expect(key, 1, true, sent);
            NetworkMonitor stored = retry(() -> admin.resource(monitor).create());
            monitorUids.put(key, stored.getMetadata().getUid());
        });
    }

    private void updateMonitors(ConvergenceTracker updated) {
        List<String> keys = List.copyOf(monitorUids.keySet());
        parallel(8, keys.size(), index -> {
            String key = keys.get(index);
            String ns = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            int k = Integer.parseInt(name.substring("nm-".length()));
            NetworkMonitor current = admin.resources(NetworkMonitor.class).inNamespace(ns).withName(name).get();
            long next = current.getMetadata().getGeneration() + 1;
            updated.expect(key, next, false, System.nanoTime());
            // same pods (they all carry tier=bench), new generation and a new compiled selector
            retry(() -> admin.resources(NetworkMonitor.class).inNamespace(ns).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\",\"tier\":\"bench\"}}}}"
                                    .formatted(k)));
        });
    }

    /**
     * Every node writes its AgentReport once per interval, spread evenly over the interval as unsynchronised agents
     * would. A report carries the monitors with pods on that node that are in the compiled agent config (what a real
     * agent knows about), or every such monitor with BENCH_REPORT_ALL_MONITORS=true.
     */
    private void writeReports(ConvergenceTracker reported) throws Exception {
        Duration interval = Duration.ofSeconds(settings.reportIntervalSeconds());
        long slotNanos = interval.toNanos() / nodeNames.size();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger carried = new AtomicInteger();
        try {
            for (int round = 1; round <= settings.reportRounds(); round++) {
                if (remainingNanos() < interval.toNanos() + TimeUnit.SECONDS.toNanos(25)) {
                    notes.add("stopped the report rounds after " + (round - 1) + " of " + settings.reportRounds()
                            + ": BENCH_MAX_SECONDS would be exceeded");
                    break;
                }
                String name = round == 1 ? "reports, round 1 (monitors start Monitoring)"
                        : "reports, round " + round + " (steady)";
                AgentConfig config = currentConfig();
                Set<String> compiled = config == null ? Set.of() : config.monitors().stream()
                        .map(m -> m.namespace() + "/" + m.name()).collect(Collectors.toSet());
                String hash = config == null ? null : config.hash();
                carried.set(0);
                Snapshot before = snapshot();
                long start = System.nanoTime();
                List<Future<?>> writes = new ArrayList<>();
                for (int n = 0; n < nodeNames.size(); n++) {
                    sleepUntil(start + n * slotNanos);
                    String node = nodeNames.get(n);
                    List<String> keys = monitorsByNode.get(node).keySet().stream()
                            .filter(k -> settings.reportAllMonitors() || compiled.contains(k)).toList();
                    carried.addAndGet(keys.size());
                    writes.add(writers.submit(() -> {
                        try {
                            writeReport(node, keys, hash, interval, reported);
                        } catch (KubernetesClientException e) {
                            failures.incrementAndGet();
                        }
                    }));
                }
                for (Future<?> write : writes) {
                    write.get(30, TimeUnit.SECONDS);
                }
                sleepUntil(start + interval.toNanos());
                phases.add(finish(name, before, start));
                if (round == 1) {
                    notes.add("each round: %d reports carrying %d monitor windows (%d compiled monitors)"
                            .formatted(nodeNames.size(), carried.get(), compiled.size()));
                }
            }
            long drainUntil = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
            while (reported.pending() > 0 && System.nanoTime() < drainUntil) {
                Thread.sleep(100);
            }
        } finally {
            writers.shutdownNow();
        }
        if (failures.get() > 0) {
            notes.add(failures.get() + " report writes failed");
        }
        int requested = reported.latencies().size() + reported.pending();
        convergences.add(new Convergence("report written -> lastReportTime of each monitor it carries", requested,
                reported.latencies()));
    }

    private void writeReport(String node, List<String> keys, String hash, Duration interval,
            ConvergenceTracker reported) {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AgentReportSpec spec = new AgentReportSpec();
        spec.setNodeName(node);
        spec.setAgentVersion("0.1.0-bench");
        spec.setConfigHash(hash);
        spec.setWindowStart(end.minus(interval).toString());
        spec.setWindowEnd(end.toString());
        List<NodeProbeStatus> probes = new ArrayList<>();
        for (ProbeName probe : ProbeName.values()) {
            NodeProbeStatus status = new NodeProbeStatus();
            status.setName(probe);
            status.setState(NodeProbeState.ATTACHED);
            probes.add(status);
        }
        spec.setProbes(probes);
        List<MonitorWindow> windows = new ArrayList<>();
        for (String key : keys) {
            MonitorWindow window = new MonitorWindow();
            window.setNamespace(key.substring(0, key.indexOf('/')));
            window.setName(key.substring(key.indexOf('/') + 1));
            window.setUid(monitorUids.get(key));
            window.setPods(monitorsByNode.get(node).get(key));
            TrafficCounters counters = new TrafficCounters();
            long connects = 100 + (Math.abs(key.hashCode()) % 400);
            counters.setConnectsActive(connects);
            counters.setConnectsPassive(connects);
            counters.setConnectFailures(connects / 100);
            counters.setSegmentsSent(connects * 40);
            counters.setRetransmits(connects / 10);
            counters.setResetsSent(1L);
            counters.setResetsReceived(1L);
            counters.setBytesSent(connects * 40 * 1400);
            counters.setBytesReceived(connects * 40 * 600);
            counters.setPacketsSent(connects * 40);
            counters.setPacketsReceived(connects * 38);
            counters.setDrops(0L);
            counters.setDnsQueries(connects);
            counters.setDnsErrors(0L);
            window.setCounters(counters);
            window.setConnectLatency(histogram(10, connects));
            window.setRtt(histogram(8, connects * 4));
            window.setDnsLatency(histogram(9, connects));
            windows.add(window);
        }
        spec.setMonitors(windows);
        AgentReport report = new AgentReport();
        report.getMetadata().setName(node);
        report.getMetadata().setNamespace(settings.operatorNamespace());
        report.setSpec(spec);
        long sent = System.nanoTime();
        keys.forEach(k -> reported.expectReport(k, end, sent));
        admin.resource(report).fieldManager("sonde-agent").forceConflicts().serverSideApply();
    }

    private static Log2Histogram histogram(int bucket, long count) {
        List<Long> buckets = new ArrayList<>();
        for (int i = 0; i < bucket; i++) {
            buckets.add(i == bucket - 1 ? count / 10 : 0L);
        }
        buckets.add(count - count / 10);
        return new Log2Histogram(Log2Histogram.MICROSECONDS, buckets, count * (long) Log2Histogram.lowerBound(bucket));
    }

    private AgentConfig currentConfig() {
        ConfigMap cm = admin.configMaps().inNamespace(settings.operatorNamespace()).withName("sonde-agent-config").get();
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(AgentConfig.CONFIG_MAP_KEY)) {
            return null;
        }
        return AgentConfig.fromJson(cm.getData().get(AgentConfig.CONFIG_MAP_KEY));
    }

    private String profileYaml(String name) {
        String probes = switch (name) {
            case "bench-low-overhead" -> "[{name: tcpConnections}]";
            case "bench-standard" -> "[{name: tcpConnections}, {name: tcpRetransmits}, {name: tcpResets}, "
                    + "{name: tcpRtt}, {name: dns}]";
            default -> "[{name: tcpConnections}, {name: tcpRetransmits}, {name: tcpResets}, "
                    + "{name: tcpRtt}, {name: traffic}, {name: packetDrops}, "
                    + "{name: dns, dns: {ports: [53, 5353]}}]";
        };
        return """
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata:
                  name: %s
                spec:
                  interval: %ds
                  probes: %s
                  health:
                    connectFailureRatio: {degraded: 0.05, critical: 0.2}
                    connectLatencyP99: {degraded: 50ms, critical: 2s}
                """.formatted(name, settings.reportIntervalSeconds(), probes)
                + (name.equals("bench-low-overhead") ? "" : "    retransmitRatio: {degraded: 0.01, critical: 0.05}\n");
    }

    // --- measuring ---

    private record Snapshot(Map<String, Double> reconciles, Map<String, Double> writes, double cpu) {
    }

    private Snapshot snapshot() {
        String metrics = operator.metrics();
        Map<String, Double> reconciles = new LinkedHashMap<>();
        for (String controller : List.of("networkmonitor", "probeprofile", "agentfleet")) {
            reconciles.put(controller, OperatorProcess.sample(metrics, "sonde_operator_reconciles_total",
                    "controller=\"" + controller + "\""));
        }
        resources.resetPeaks();
        return new Snapshot(reconciles, ApiServerWrites.snapshot(admin), resources.cpuSeconds());
    }

    private Phase finish(String name, Snapshot before, long startNanos) {
        Snapshot after = snapshot();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> reconciles = new LinkedHashMap<>();
        before.reconciles().forEach((c, v) -> reconciles.put(c, after.reconciles().get(c) - v));
        Phase phase = new Phase(name, seconds, reconciles, after.cpu() - before.cpu(),
                Math.max(resources.heapPeakBytes(), resources.heapBytes()), resources.liveHeapBytes(),
                Math.max(resources.rssPeakBytes(), resources.rssBytes()), before.writes(), after.writes(), load1());
        log("%s: %.1fs, %.0f reconciles".formatted(name, seconds,
                reconciles.values().stream().mapToDouble(Double::doubleValue).sum()));
        return phase;
    }

    /** Runs {@code action}, then waits (bounded) until every tracker has seen its expectations met. */
    private Phase measure(String name, Duration bound, Runnable action, ConvergenceTracker... trackers)
            throws InterruptedException {
        log(name + " ...");
        Snapshot before = snapshot();
        long start = System.nanoTime();
        action.run();
        long until = Math.min(deadline - TimeUnit.SECONDS.toNanos(60), start + bound.toNanos());
        if (trackers.length == 0) {
            sleepUntil(start + bound.toNanos());
        }
        while (trackers.length > 0 && java.util.Arrays.stream(trackers).anyMatch(t -> t.pending() > 0)
                && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        for (ConvergenceTracker t : trackers) {
            if (t.pending() > 0) {
                notes.add(name + ": " + t.pending() + " status changes not seen within the bound");
            }
        }
        return finish(name, before, start);
    }

    // --- output ---

    private String render() {
        StringBuilder out = new StringBuilder();
        out.append("Run %s, %d monitors in %d namespaces (%d profiles, interval %s), %d kwok nodes, %d pods; "
                .formatted(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(started.atOffset(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)) + "Z",
                settings.monitors(), settings.namespaces(), PROFILES.size(), settings.reportIntervalSeconds() + "s",
                settings.nodes(),
                settings.namespaces() * settings.podsPerNamespace()))
                .append("reports every %ds from every node, %d rounds; operator JVM options `%s`; load average at the end %s.%n%n"
                        .formatted(settings.reportIntervalSeconds(), settings.reportRounds(),
                                String.join(" ", settings.operatorJvmOptions()), loadAverage()));

        out.append("| phase | s | reconciles/s: all (nm / pp / fleet) | operator CPU, cores "
                + "| operator CPU ms per AgentReport | heap used peak MiB "
                + "| heap live after GC MiB | RSS peak MiB | writes/s: AgentReports (synthetic) "
                + "| NetworkMonitor status (operator) | Events (operator) | ConfigMap, DaemonSet, ProbeProfile status "
                + "(operator) | NetworkMonitor spec (benchmark) | all writes (incl. kwok, pods) | load1 |\n");
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            double s = p.seconds();
            double total = p.reconciles().values().stream().mapToDouble(Double::doubleValue).sum();
            double fleet = writes(p, "probeprofiles/status") + writes(p, "configmaps") + writes(p, "daemonsets");
            double reports = writes(p, "agentreports");
            out.append(String.format(Locale.ROOT,
                    "| %s | %.0f | %.1f (%.1f / %.1f / %.1f) | %.2f | %s | %.0f | %s | %.0f | %.1f | %.1f | %.1f | %.2f "
                            + "| %.1f | %.1f | %.2f |%n",
                    p.name(), s, total / s, p.reconciles().get("networkmonitor") / s,
                    p.reconciles().get("probeprofile") / s, p.reconciles().get("agentfleet") / s,
                    p.cpuSeconds() / s,
                    // the whole operator's CPU over the phase per report written in it (reports are what it does then)
                    reports > 0 ? String.format(Locale.ROOT, "%.1f", 1000 * p.cpuSeconds() / reports) : "-",
                    p.heapPeak() / (1 << 20),
                    // G1 reports live data only after an old-generation collection; none may have run yet
                    p.liveHeap() > 0 ? String.format(Locale.ROOT, "%.0f", p.liveHeap() / (1 << 20)) : "-",
                    p.rssPeak() / (1 << 20),
                    writes(p, "agentreports") / s, writes(p, "networkmonitors/status") / s, writes(p, "events") / s,
                    fleet / s, writes(p, "networkmonitors") / s,
                    ApiServerWrites.total(p.writesBefore(), p.writesAfter()) / s, p.load1()));
        }
        out.append("\n| status convergence | requested | seen | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
        for (Convergence c : convergences) {
            List<Long> sorted = c.nanos().stream().sorted().toList();
            out.append("| %s | %d | %d | %s | %s | %s |%n".formatted(c.what(), c.requested(), sorted.size(),
                    percentile(sorted, 50), percentile(sorted, 99),
                    sorted.isEmpty() ? "-" : ms(sorted.getLast())));
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(n -> out.append("- ").append(n).append('\n'));
        }
        return out.toString();
    }

    private static double writes(Phase p, String key) {
        return ApiServerWrites.delta(p.writesBefore(), p.writesAfter(), key);
    }

    private static String percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return ms(sorted.get(Math.max(0, rank - 1)));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1e6);
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // --- plumbing ---

    private long remainingNanos() {
        return deadline - System.nanoTime();
    }

    private void sleepBounded(Duration d) throws InterruptedException {
        sleepUntil(Math.min(deadline, System.nanoTime() + d.toNanos()));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Runs {@code task(0..count-1)} on {@code threads} threads; stops at the deadline. */
    private void parallel(int threads, int count, Consumer<Integer> task) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.accept(index)));
            }
            for (Future<?> f : futures) {
                f.get(Math.max(1, remainingNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("parallel requests failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A request that may be refused for a moment (a fresh namespace's ServiceAccount, a 429): up to 20 tries. */
    private static <T> T retry(java.util.function.Supplier<T> request) {
        KubernetesClientException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                return request.get();
            } catch (KubernetesClientException e) {
                last = e;
                if (e.getCode() == 409 && e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason())) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    private static void log(String message) {
        System.out.printf("[bench %s] %s%n", java.time.LocalTime.now().truncatedTo(ChronoUnit.SECONDS), message);
    }
}
