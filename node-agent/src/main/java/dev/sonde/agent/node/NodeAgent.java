package dev.sonde.agent.node;

import dev.sonde.agent.pods.MonitorSelection;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.pods.PodCgroups;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.agent.probe.Probe;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.agent.report.CounterArithmetic;
import dev.sonde.agent.report.CounterDeltas;
import dev.sonde.agent.report.MonitorWindows;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.MonitorWindow;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * to this node, and writes the node's AgentReport every interval.
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

    /**
     * @param namespace the operator's namespace: where the compiled config is read and the AgentReport written
     * @param configMap name of the compiled config's ConfigMap
     */
    public record Settings(String nodeName, String namespace, String configMap, String agentVersion) {
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
    private volatile Map<String, String> nodeLabels = Map.of();
    private SharedIndexInformer<Pod> pods;

    // Owned by the loop thread.
    private KernelSelection applied = KernelSelection.NOTHING;
    private Map<Integer, Set<CgroupId>> cgroupsByMonitor = Map.of();
    private Map<Integer, Integer> podCountByMonitor = Map.of();
    private final Set<CgroupId> toForget = new HashSet<>();
    private final CounterDeltas deltas = new CounterDeltas();
    private final Map<CgroupId, ProbeCounters> unreported = new HashMap<>();
    private Instant windowStart;
    private Instant nextReport;
    private Instant nextRescan;
    private boolean reportNow = true;

    public NodeAgent(KubernetesClient client, KernelProbes probes, KernelCapabilities kernel,
            PodCgroupResolver resolver, Settings settings, Clock clock) {
        this.client = client;
        this.probes = probes;
        this.kernel = kernel;
        this.resolver = resolver;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts watching the config, this node's pods and this node, and the loop. */
    public void start() {
        windowStart = clock.instant();
        nextReport = windowStart;
        nextRescan = windowStart;
        informers.add(client.configMaps().inNamespace(settings.namespace()).withName(settings.configMap())
                .inform(handler(this::onConfig, cm -> onConfig(null))));
        pods = client.pods().inAnyNamespace().withField("spec.nodeName", settings.nodeName())
                .inform(handler(pod -> dirty.set(true), pod -> dirty.set(true)));
        informers.add(pods);
        informers.add(client.nodes().withName(settings.nodeName())
                .inform(handler(this::onNode, node -> onNode(null))));
        loop.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
        LOG.info("agent started on node {}: config {}/{}", settings.nodeName(), settings.namespace(),
                settings.configMap());
    }

    private void onConfig(ConfigMap configMap) {
        String json = configMap == null || configMap.getData() == null ? null
                : configMap.getData().get(AgentConfig.CONFIG_MAP_KEY);
        if (json == null) {
            config = AgentConfig.of(List.of());
        } else {
            try {
                config = AgentConfig.fromJson(json);
            } catch (IllegalArgumentException e) {
                // Keep measuring with the last valid config; the operator sees the stale hash in the report.
                LOG.warn("ignoring an invalid agent config ({}); keeping config {}", e.getMessage(), config.hash());
                return;
            }
        }
        dirty.set(true);
    }

    private void onNode(Node node) {
        nodeLabels = node == null || node.getMetadata().getLabels() == null ? Map.of()
                : Map.copyOf(node.getMetadata().getLabels());
        dirty.set(true);
    }

    private void tick() {
        try {
            Instant now = clock.instant();
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
        selection.masks().forEach((uid, mask) -> {
            PodCgroups cgroups = resolver.resolve(uid, byUid.get(uid).qos());
            cgroupsByPod.put(uid, cgroups.ids());
            cgroups.ids().forEach(id -> masks.merge(id, mask, (a, b) -> a | b));
        });
        Set<Probe> wanted = EnumSet.noneOf(Probe.class);
        selection.neededProbes().stream().map(AgentReports::probe)
                .filter(probe -> probes.state(probe).usable())
                .forEach(wanted::add);

        KernelSelection desired = new KernelSelection(masks, wanted);
        KernelSelection.Change change = applied.changeTo(desired);
        if (!change.isEmpty()) {
            apply(change);
            LOG.info("selection: {} cgroups of {} pods; probes {}", masks.size(), selection.masks().size(),
                    probes.attached());
        }
        applied = new KernelSelection(masks, probes.attached());

        Map<Integer, Set<CgroupId>> byMonitor = new HashMap<>();
        Map<Integer, Integer> podCounts = new HashMap<>();
        selection.podsByMonitor().forEach((index, uids) -> {
            Set<CgroupId> ids = new HashSet<>();
            uids.forEach(uid -> ids.addAll(cgroupsByPod.getOrDefault(uid, Set.of())));
            byMonitor.put(index, ids);
            podCounts.put(index, uids.size());
        });
        cgroupsByMonitor = byMonitor;
        podCountByMonitor = podCounts;
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
        List<MonitorWindow> windows = new ArrayList<>();
        for (CompiledMonitor monitor : current.monitors()) {
            windows.add(MonitorWindows.of(monitor.namespace(), monitor.name(), monitor.uid(),
                    podCountByMonitor.getOrDefault(monitor.index(), 0),
                    cgroupsByMonitor.getOrDefault(monitor.index(), Set.of()), unreported));
        }
        long mapFull = probes.mapFullCounts().values().stream().mapToLong(Long::longValue).sum();
        AgentReport report = AgentReports.build(settings.namespace(), settings.nodeName(), settings.agentVersion(),
                current.hash(), kernel, probes.states(), windowStart, now, windows, mapFull);
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
        probes.close();
        LOG.info("agent on node {} stopped; probes detached", settings.nodeName());
    }
}
