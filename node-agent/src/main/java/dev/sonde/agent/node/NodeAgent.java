package dev.sonde.agent.node;

import dev.sonde.agent.metrics.MetricsEndpoint;
import dev.sonde.agent.metrics.OtlpExporters;
import dev.sonde.agent.metrics.PodSeries;
import dev.sonde.agent.metrics.PrometheusText;
import dev.sonde.agent.metrics.SondeMetrics;
import dev.sonde.agent.pods.MonitorSelection;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.pods.PodCgroups;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.agent.probe.Probe;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.agent.report.CounterArithmetic;
import dev.sonde.agent.report.CounterDeltas;
import dev.sonde.agent.report.MonitorWindows;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledExport;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import dev.sonde.api.v1alpha1.MonitorWindowState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one node: keeps the kernel's selection equal to what the compiled config asks for the pods bound
 * to this node, writes the node's AgentReport every interval, and publishes per-pod metrics over OTLP and on its
 * Prometheus endpoint.
 *
 * <p>All kernel and window state is touched by one scheduler thread only; informers merely mark it dirty.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final String FIELD_MANAGER = "sonde-agent";
    /** How often pods' cgroup directories are re-read: a new container is selected within this time. */
    static final Duration RESCAN = Duration.ofSeconds(1);
    /** Reporting interval while no monitor asks for another one. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    /** Per-pod series a node publishes at most, unless configured otherwise. */
    static final int DEFAULT_MAX_SERIES = 2000;
    /** The loop counts as stalled (for /healthz) when it has not ticked for this long. */
    static final Duration STALLED = Duration.ofSeconds(30);

    /**
     * @param namespace the operator's namespace: where the compiled config is read and the AgentReport written
     * @param configMap name of the compiled config's ConfigMap
     * @param metricsAddress where to serve /metrics and /healthz, or null for no listener
     * @param defaultOtlp where monitors without an OTLP endpoint of their own export, or null for nowhere
     * @param maxSeries bound of the per-pod series (monitor x pod) this node publishes
     */
    public record Settings(String nodeName, String namespace, String configMap, String agentVersion,
            InetSocketAddress metricsAddress, OtlpExporters.Target defaultOtlp, int maxSeries) {

        /** No listener and no default OTLP target. */
        public Settings(String nodeName, String namespace, String configMap, String agentVersion) {
            this(nodeName, namespace, configMap, agentVersion, null, null, DEFAULT_MAX_SERIES);
        }
    }

    private final KubernetesClient client;
    private final KernelProbes probes;
    private final KernelCapabilities kernel;
    private final PodCgroupResolver resolver;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sonde-agent-loop").daemon().factory());
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    private volatile AgentConfig config = AgentConfig.of(List.of());
    /** Config entries this agent does not run as written, by monitor uid (or namespace/name without one). */
    private volatile Map<String, ConfigReader.Rejected> rejected = Map.of();
    /** The last entry of each monitor that was valid; touched by the config informer's thread only. */
    private final Map<String, CompiledMonitor> lastValid = new HashMap<>();
    /** Monitor uid -> its OTLP headers, from the operator's copy; values are credentials, never logged. */
    private volatile Map<String, Map<String, String>> otlpHeaders = Map.of();
    private volatile Map<String, String> nodeLabels = Map.of();
    private volatile String nodeUid;
    private SharedIndexInformer<Pod> pods;

    // Owned by the loop thread.
    private KernelSelection applied = KernelSelection.NOTHING;
    /** Monitor index -> selected pod uid -> the pod's cgroups. */
    private Map<Integer, Map<String, Set<CgroupId>>> selectedByMonitor = Map.of();
    private Map<String, NodePod> podsByUid = Map.of();
    private final Set<CgroupId> toForget = new HashSet<>();
    private final CounterDeltas deltas = new CounterDeltas();
    private final Map<CgroupId, ProbeCounters> unreported = new HashMap<>();
    private Instant windowStart;
    private Instant nextReport;
    private Instant nextRescan;
    private boolean reportNow = true;
    private final SondeMetrics metrics;
    private final DropReasons dropReasons;
    private final PodSeries series;
    private final OtlpExporters otlp = new OtlpExporters();
    private final Map<String, Instant> nextExport = new HashMap<>();
    private final long startEpochNanos;
    /** What /metrics serves, rendered only when scraped: nobody may scrape, and the text is large. */
    private volatile List<MetricData> scrapeable = List.of();
    private volatile Instant lastTick;
    private MetricsEndpoint endpoint;

    public NodeAgent(KubernetesClient client, KernelProbes probes, KernelCapabilities kernel,
            PodCgroupResolver resolver, Settings settings, Clock clock) {
        this.client = client;
        this.probes = probes;
        this.kernel = kernel;
        this.resolver = resolver;
        this.settings = settings;
        this.clock = clock;
        this.dropReasons = DropReasons.ofRunningKernel();
        this.metrics = new SondeMetrics(settings.nodeName(), settings.agentVersion(), dropReasons);
        this.series = new PodSeries(settings.maxSeries());
        this.startEpochNanos = epochNanos(clock.instant());
        this.lastTick = clock.instant();
    }

    /** Starts the metrics listener, the watches of the config, this node's pods and this node, and the loop. */
    public void start() {
        if (settings.metricsAddress() != null) {
            try {
                endpoint = MetricsEndpoint.start(settings.metricsAddress(), () -> PrometheusText.write(scrapeable),
                        this::healthy);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + settings.metricsAddress(), e);
            }
            LOG.info("serving /metrics and /healthz on {}", endpoint.address());
        }
        windowStart = clock.instant();
        nextReport = windowStart;
        nextRescan = windowStart;
        informers.add(client.configMaps().inNamespace(settings.namespace()).withName(settings.configMap())
                .inform(handler(this::onConfig, cm -> onConfig(null))));
        // By name, like the config: the agent's RBAC allows this one Secret and no other.
        informers.add(client.secrets().inNamespace(settings.namespace()).withName(OtlpHeaders.SECRET_NAME)
                .inform(handler(this::onHeaders, secret -> onHeaders(null))));
        pods = client.pods().inAnyNamespace().withField("spec.nodeName", settings.nodeName())
                .inform(handler(pod -> dirty.set(true), pod -> dirty.set(true)));
        informers.add(pods);
        informers.add(client.nodes().withName(settings.nodeName())
                .inform(handler(this::onNode, node -> onNode(null))));
        loop.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
        LOG.info("agent started on node {}: config {}/{}", settings.nodeName(), settings.namespace(),
                settings.configMap());
    }

    /** The address of the metrics listener, once started; null without one. */
    public InetSocketAddress metricsAddress() {
        return endpoint == null ? null : endpoint.address();
    }

    private void onConfig(ConfigMap configMap) {
        String json = configMap == null || configMap.getData() == null ? null
                : configMap.getData().get(AgentConfig.CONFIG_MAP_KEY);
        if (json == null) {
            lastValid.clear();
            rejected = Map.of();
            config = AgentConfig.of(List.of());
            dirty.set(true);
            return;
        }
        ConfigReader.Read read;
        try {
            read = ConfigReader.read(json);
        } catch (IllegalArgumentException e) {
            // Keep measuring with the last valid config; the operator sees the stale hash in the report.
            LOG.warn("ignoring an invalid agent config ({}); keeping config {}", e.getMessage(), config.hash());
            return;
        }
        // A rejected entry keeps the monitor's last valid entry running, unless a valid entry took its index.
        List<CompiledMonitor> effective = new ArrayList<>(read.monitors());
        Set<Integer> indexes = new HashSet<>();
        read.monitors().forEach(m -> indexes.add(m.index()));
        Map<String, ConfigReader.Rejected> failed = new LinkedHashMap<>();
        for (ConfigReader.Rejected entry : read.rejected()) {
            LOG.warn("config entry of monitor {}/{} rejected ({}): {}", entry.namespace(), entry.name(),
                    entry.reason(), entry.message());
            failed.put(key(entry), entry);
            CompiledMonitor previous = lastValid.get(entry.uid());
            if (previous != null && indexes.add(previous.index())) {
                effective.add(previous);
            }
        }
        lastValid.clear();
        effective.forEach(m -> lastValid.put(m.uid(), m));
        rejected = Map.copyOf(failed);
        config = new AgentConfig(AgentConfig.SCHEMA_VERSION, read.hash(), effective);
        dirty.set(true);
    }

    private void onHeaders(Secret secret) {
        Map<String, Map<String, String>> headers = new HashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((uid, base64) -> {
                try {
                    headers.put(uid, OtlpHeaders.fromJson(
                            new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException e) {
                    // the message names header keys at most, never values
                    LOG.warn("ignoring the OTLP headers of monitor uid {} in {}/{}: {}", uid, settings.namespace(),
                            OtlpHeaders.SECRET_NAME, e.getMessage());
                }
            });
        }
        otlpHeaders = Map.copyOf(headers);
        LOG.info("OTLP headers of {} monitors from {}/{}", headers.size(), settings.namespace(),
                OtlpHeaders.SECRET_NAME);
    }

    private static String key(ConfigReader.Rejected entry) {
        return entry.uid().isEmpty() ? entry.namespace() + "/" + entry.name() : entry.uid();
    }

    private void onNode(Node node) {
        nodeLabels = node == null || node.getMetadata().getLabels() == null ? Map.of()
                : Map.copyOf(node.getMetadata().getLabels());
        nodeUid = node == null ? null : node.getMetadata().getUid();
        dirty.set(true);
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            lastTick = now;
            if (dirty.getAndSet(false) || !now.isBefore(nextRescan)) {
                nextRescan = now.plus(RESCAN);
                applySelection();
            }
            if (reportNow || !now.isBefore(nextReport)) {
                report(now);
            }
        } catch (RuntimeException e) {
            LOG.error("agent loop failed; retrying at the next tick", e);
        }
    }

    private void applySelection() {
        AgentConfig current = config;
        List<NodePod> nodePods = pods.getStore().list().stream().map(NodeAgent::nodePod).toList();
        MonitorSelection selection = MonitorSelection.compute(current.monitors(), nodeLabels, nodePods);

        Map<String, NodePod> byUid = new HashMap<>();
        nodePods.forEach(pod -> byUid.put(pod.uid(), pod));
        Map<String, Set<CgroupId>> cgroupsByPod = new HashMap<>();
        Map<CgroupId, Long> masks = new HashMap<>();
        Map<CgroupId, Set<Integer>> dnsPorts = new HashMap<>();
        selection.masks().forEach((uid, mask) -> {
            PodCgroups cgroups = resolver.resolve(uid, byUid.get(uid).qos());
            cgroupsByPod.put(uid, cgroups.ids());
            cgroups.ids().forEach(id -> masks.merge(id, mask, (a, b) -> a | b));
            Set<Integer> ports = dnsPortsWithinBound(uid, selection.dnsPorts().getOrDefault(uid, Set.of()));
            if (!ports.isEmpty()) {
                cgroups.ids().forEach(id -> dnsPorts.put(id, ports));
            }
        });
        Set<Probe> wanted = EnumSet.noneOf(Probe.class);
        selection.neededProbes().stream().map(AgentReports::probe)
                .filter(probe -> probes.state(probe).usable())
                .forEach(wanted::add);

        KernelSelection desired = new KernelSelection(masks, dnsPorts, wanted);
        KernelSelection.Change change = applied.changeTo(desired);
        if (!change.isEmpty()) {
            apply(change);
            LOG.info("selection: {} cgroups of {} pods; probes {}", masks.size(), selection.masks().size(),
                    probes.attached());
        }
        applied = desired.withProbes(probes.attached());

        Map<Integer, Map<String, Set<CgroupId>>> byMonitor = new HashMap<>();
        selection.podsByMonitor().forEach((index, uids) -> {
            Map<String, Set<CgroupId>> pods = new HashMap<>();
            uids.forEach(uid -> pods.put(uid, cgroupsByPod.getOrDefault(uid, Set.of())));
            byMonitor.put(index, pods);
        });
        selectedByMonitor = byMonitor;
        podsByUid = byUid;
    }

    /** The kernel holds a bounded number of DNS ports per cgroup: beyond it, the lowest ports, and a warning. */
    private static Set<Integer> dnsPortsWithinBound(String podUid, Set<Integer> ports) {
        int max = KernelProbes.Config.MAX_DNS_PORTS_PER_CGROUP;
        if (ports.size() <= max) {
            return ports;
        }
        Set<Integer> kept = Set.copyOf(ports.stream().sorted().limit(max).toList());
        LOG.warn("pod {}: its monitors ask for {} DNS ports {}; parsing only {}", podUid, ports.size(), ports, kept);
        return kept;
    }

    private void apply(KernelSelection.Change change) {
        change.attach().forEach(probe -> {
            try {
                probes.attach(probe);
            } catch (RuntimeException e) {
                LOG.warn("cannot attach {}: {}", probe.contractName(), e.getMessage());
            }
            reportNow = true;
        });
        change.select().forEach(probes::select);
        change.dnsPorts().forEach(probes::selectDnsPorts);
        change.unselect().forEach(cgroup -> {
            probes.unselect(cgroup);
            toForget.add(cgroup); // read once more at the next report, then dropped
        });
        change.detach().forEach(probe -> {
            probes.detach(probe);
            reportNow = true;
        });
    }

    private void report(Instant now) {
        reportNow = false;
        Map<CgroupId, ProbeCounters> fresh = deltas.next(probes.readCounters());
        fresh.forEach((cgroup, delta) -> unreported.merge(cgroup, delta, CounterArithmetic::plus));
        toForget.forEach(probes::forget);
        toForget.clear();

        AgentConfig current = config;
        Map<String, ConfigReader.Rejected> failed = rejected;
        Map<String, Long> mapFull = probes.mapFullCounts();
        try {
            publishMetrics(current, fresh, mapFull, now);
        } catch (RuntimeException e) {
            // Metrics must never cost the report (or the other way round).
            LOG.error("publishing metrics failed; the report goes out regardless", e);
        }

        List<MonitorWindow> windows = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (CompiledMonitor monitor : current.monitors()) {
            Map<String, Set<CgroupId>> pods = selectedByMonitor.getOrDefault(monitor.index(), Map.of());
            Set<CgroupId> cgroups = new HashSet<>();
            pods.values().forEach(cgroups::addAll);
            MonitorWindow window = MonitorWindows.of(monitor.namespace(), monitor.name(), monitor.uid(), pods.size(),
                    cgroups, unreported, MonitorWindows.lossDropReasons(monitor, dropReasons));
            ConfigReader.Rejected problem = failed.get(monitor.uid());
            windows.add(withState(window, problem));
            reported.add(monitor.uid());
        }
        // A rejected entry of a monitor that never had a valid one: report it, with nothing measured.
        failed.forEach((key, problem) -> {
            if (!reported.contains(problem.uid()) || problem.uid().isEmpty()) {
                windows.add(withState(MonitorWindows.of(problem.namespace(), problem.name(),
                        problem.uid().isEmpty() ? null : problem.uid(), 0, Set.of(), Map.of(), Set.of()), problem));
            }
        });
        AgentReport report = AgentReports.build(settings.namespace(), settings.nodeName(), nodeUid, settings.agentVersion(),
                current.hash(), kernel, probes.states(), windowStart, now, windows,
                mapFull.values().stream().mapToLong(Long::longValue).sum());
        nextReport = now.plus(interval(current));
        try {
            client.resource(report).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            // Keep the window open: its counts go into the next report that gets through.
            LOG.warn("cannot write AgentReport {}/{} ({}); will retry with the window extended",
                    settings.namespace(), settings.nodeName(), e.getMessage());
            return;
        }
        unreported.clear();
        windowStart = now;
    }

    private static MonitorWindow withState(MonitorWindow window, ConfigReader.Rejected problem) {
        if (problem == null) {
            window.setState(MonitorWindowState.ACTIVE);
        } else {
            window.setState(MonitorWindowState.FAILED);
            window.setReason(problem.reason());
            window.setMessage(problem.message());
        }
        return window;
    }

    /**
     * Adds this interval's counts to the per-pod series, keeps what /metrics serves, and starts the OTLP exports of
     * the monitors whose interval has come.
     */
    private void publishMetrics(AgentConfig current, Map<CgroupId, ProbeCounters> fresh, Map<String, Long> mapFull,
            Instant now) {
        long nowNanos = epochNanos(now);
        Set<PodSeries.Key> live = new HashSet<>();
        Map<String, CompiledMonitor> monitorsByUid = new HashMap<>();
        for (CompiledMonitor monitor : current.monitors()) {
            monitorsByUid.put(monitor.uid(), monitor);
            selectedByMonitor.getOrDefault(monitor.index(), Map.of()).forEach((uid, cgroups) -> {
                NodePod pod = podsByUid.get(uid);
                if (pod == null) {
                    return;
                }
                ProbeCounters delta = ProbeCounters.ZERO;
                for (CgroupId cgroup : cgroups) {
                    ProbeCounters d = fresh.get(cgroup);
                    if (d != null) {
                        delta = CounterArithmetic.plus(delta, d);
                    }
                }
                series.add(monitor, pod, delta, nowNanos);
                live.add(new PodSeries.Key(monitor.uid(), uid));
            });
        }

        List<MetricData> scraped = new ArrayList<>();
        Map<OtlpExporters.Target, List<MetricData>> pushes = new HashMap<>();
        Set<OtlpExporters.Target> targets = new HashSet<>();
        Set<String> due = new HashSet<>();
        for (CompiledMonitor monitor : current.monitors()) {
            if (!now.isBefore(nextExport.getOrDefault(monitor.uid(), Instant.MIN))) {
                due.add(monitor.uid());
                nextExport.put(monitor.uid(), now.plusMillis(monitor.intervalMillis()));
            }
        }
        nextExport.keySet().retainAll(monitorsByUid.keySet());
        // before publishing: a series whose pod or monitor went away ends now
        series.retain(live);
        List<MetricData> withoutHeaders = new ArrayList<>();
        for (PodSeries.Series s : series.all()) {
            CompiledMonitor monitor = monitorsByUid.get(s.monitor().uid());
            Optional<OtlpExporters.Target> target = otlpTarget(monitor);
            if (target != null && target.isPresent()) {
                targets.add(target.get());
            }
            boolean push = target != null && due.contains(monitor.uid());
            if (!push && !monitor.export().prometheus()) {
                continue; // nobody reads this series' points this interval
            }
            List<MetricData> data = metrics.series(s, nowNanos);
            if (monitor.export().prometheus()) {
                scraped.addAll(data);
            }
            if (push && target.isPresent()) {
                pushes.computeIfAbsent(target.get(), t -> new ArrayList<>()).addAll(data);
            } else if (push) {
                withoutHeaders.addAll(data);
            }
        }
        pushes.forEach(otlp::export);
        if (!withoutHeaders.isEmpty()) {
            otlp.dropWithoutHeaders(withoutHeaders);
        }
        otlp.retain(targets);

        Map<String, Integer> capacity = Map.of("selected_cgroups", probes.config().maxSelectedCgroups(),
                "metrics", probes.config().maxMetricEntries());
        Map<String, Integer> entries = Map.of("selected_cgroups", probes.selection().size(),
                "metrics", probes.metricEntries());
        scraped.addAll(metrics.agent(new SondeMetrics.AgentStats(startEpochNanos, probes.programs(),
                mapFull, entries, capacity, series.size(), series.refused(), otlp.exported(),
                otlp.dropped(), otlp.droppedWithoutHeaders()), nowNanos));
        scrapeable = List.copyOf(scraped);
    }

    /**
     * Where the monitor's points go: null for nowhere; empty when it needs headers the operator has not copied
     * (yet), so its points are dropped rather than sent without them.
     */
    private Optional<OtlpExporters.Target> otlpTarget(CompiledMonitor monitor) {
        CompiledExport.Otlp export = monitor.export().otlp();
        if (export == null) {
            return settings.defaultOtlp() == null ? null : Optional.of(settings.defaultOtlp());
        }
        Map<String, String> headers = Map.of();
        if (export.headersSecret() != null) {
            headers = otlpHeaders.get(monitor.uid());
            if (headers == null) {
                return Optional.empty();
            }
        }
        return Optional.of(new OtlpExporters.Target(export.endpoint(), export.protocol(), headers));
    }

    private boolean healthy() {
        return Duration.between(lastTick, clock.instant()).compareTo(STALLED) < 0;
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    static Duration interval(AgentConfig config) {
        return config.monitors().stream().map(m -> Duration.ofMillis(m.intervalMillis()))
                .min(Duration::compareTo).orElse(DEFAULT_INTERVAL);
    }

    static NodePod nodePod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        String qos = pod.getStatus() == null ? null : pod.getStatus().getQosClass();
        return new NodePod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
                pod.getMetadata().getLabels(), QosClass.fromStatus(qos),
                "Succeeded".equals(phase) || "Failed".equals(phase));
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> upsert,
            Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upsert.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                upsert.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                delete.accept(obj);
            }
        };
    }

    /** Stops the loop and the watches and detaches every probe (the kernel drops the links with the fds). */
    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        informers.forEach(SharedIndexInformer::close);
        otlp.close();
        if (endpoint != null) {
            endpoint.close();
        }
        probes.close();
        LOG.info("agent on node {} stopped; probes detached", settings.nodeName());
    }
}
