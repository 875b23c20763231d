package dev.sonde.agent.node;

import dev.sonde.agent.flows.ClusterPeerDirectory;
import dev.sonde.agent.flows.FlowDeltas;
import dev.sonde.agent.flows.MonitorFlows;
import dev.sonde.agent.metrics.OtlpExporters;
import dev.sonde.agent.metrics.PrometheusText;
import dev.sonde.agent.metrics.SondeMetrics;
import dev.sonde.agent.pods.NodePod;
import dev.sonde.agent.pods.PodCgroupResolver;
import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import dev.sonde.agent.pods.Workload;
import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.DropReasons;
import dev.sonde.agent.probe.KernelCapabilities;
import dev.sonde.agent.probe.KernelProbes;
import dev.sonde.agent.probe.ProbeCounters;
import dev.sonde.agent.report.CounterDeltas;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.agent.CompiledMonitor;
import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.securemetrics.KubernetesAccessReviews;
import dev.sonde.securemetrics.MetricsListenerOptions;
import dev.sonde.securemetrics.MetricsServer;
import dev.sonde.securemetrics.ScrapeAuthorizer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Prometheus endpoint. This class wires the watches to the loop; each step of the loop is a class of its own:
 * {@link ConfigPolicy} (what to run), {@link KernelSelector} (the kernel's selection), {@link MetricsPublisher}
 * (per-pod metrics) and {@link AgentReportWriter} (the node's report).
 *
 * <p>All kernel and window state is touched by one scheduler thread only; informers merely mark it dirty.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    /** Reporting interval while no monitor asks for another one. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

    /** Per-pod series a node publishes at most, unless configured otherwise. */
    static final int DEFAULT_MAX_SERIES = 2000;
    /** Per-peer flow series (monitor x pod x peer) a node publishes at most. */
    static final int MAX_FLOW_SERIES = 20_000;
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** The loop counts as stalled (for /healthz) when it has not ticked for this long. */
    static final Duration STALLED = Duration.ofSeconds(30);

    /**
     * @param namespace the operator's namespace: where the compiled config is read and the AgentReport written
     * @param configMap name of the compiled config's ConfigMap
     * @param metricsAddress where to serve /metrics and /healthz, or null for no listener
     * @param metricsListener TLS and scraper authorization of that listener (secure unless explicitly not)
     * @param defaultOtlp where monitors without an OTLP endpoint of their own export, or null for nowhere
     * @param maxSeries bound of the per-pod series (monitor x pod) this node publishes
     */
    public record Settings(String nodeName, String namespace, String configMap, String agentVersion,
            InetSocketAddress metricsAddress, MetricsListenerOptions metricsListener,
            OtlpExporters.Target defaultOtlp, int maxSeries) {

        /** No listener and no default OTLP target. */
        public Settings(String nodeName, String namespace, String configMap, String agentVersion) {
            this(nodeName, namespace, configMap, agentVersion, null, MetricsListenerOptions.secureSelfSigned(), null,
                    DEFAULT_MAX_SERIES);
        }
    }

    private final KubernetesClient client;
    private final KernelProbes probes;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sonde-agent-loop").daemon().factory());
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    /** Touched by the config informer's thread only. */
    private final ConfigPolicy configPolicy = new ConfigPolicy();
    private volatile ConfigPolicy.Effective effective = ConfigPolicy.Effective.NOTHING;
    /** Monitor uid -> its OTLP headers, from the operator's copy; values are credentials, never logged. */
    private volatile Map<String, Map<String, String>> otlpHeaders = Map.of();
    private volatile Map<String, String> nodeLabels = Map.of();
    private volatile String nodeUid;
    private SharedIndexInformer<Pod> pods;

    // The loop's steps, and what they share; owned by the loop thread.
    private final KernelSelector selector;
    private final CounterDeltas deltas = new CounterDeltas();
    private final FlowDeltas flowDeltas = new FlowDeltas();
    /** Created when a monitor first asks for flows: it watches the cluster's Services. */
    private ClusterPeerDirectory peers;
    private final MetricsPublisher publisher;
    private final AgentReportWriter reports;
    private NodeSelection selection = NodeSelection.NOTHING;
    private Instant nextReport;
    private volatile Instant lastTick;
    private MetricsServer endpoint;

    public NodeAgent(KubernetesClient client, KernelProbes probes, KernelCapabilities kernel,
            PodCgroupResolver resolver, Settings settings, Clock clock) {
        this.client = client;
        this.probes = probes;
        this.settings = settings;
        this.clock = clock;
        Instant start = clock.instant();
        DropReasons dropReasons = DropReasons.ofRunningKernel();
        this.selector = new KernelSelector(probes, resolver);
        this.publisher = new MetricsPublisher(probes,
                new SondeMetrics(settings.nodeName(), settings.agentVersion(), dropReasons), settings.maxSeries(),
                MAX_FLOW_SERIES, settings.defaultOtlp(), start);
        this.reports = new AgentReportWriter(client, settings, kernel, dropReasons, start);
        this.lastTick = start;
    }

    /** Starts the metrics listener, the watches of the config, this node's pods and this node, and the loop. */
    public void start() {
        if (settings.metricsAddress() != null) {
            try {
                MetricsListenerOptions listener = settings.metricsListener();
                endpoint = MetricsServer.start(new MetricsServer.Spec(settings.metricsAddress(), listener,
                        "sonde-agent." + settings.nodeName(), "/metrics",
                        listener.secure() ? new ScrapeAuthorizer(new KubernetesAccessReviews(client)) : null,
                        accept -> new MetricsServer.Page(PrometheusText.CONTENT_TYPE,
                                PrometheusText.write(publisher.scrapeable())),
                        this::healthy));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + settings.metricsAddress(), e);
            }
            LOG.info("serving /metrics and /healthz on {}://{}", endpoint.scheme(), endpoint.address());
        }
        nextReport = clock.instant();
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

    /** {@code https} (the default) or {@code http} (metrics served insecurely, by explicit choice). */
    public String metricsScheme() {
        return endpoint == null ? null : endpoint.scheme();
    }

    private void onConfig(ConfigMap configMap) {
        String json = configMap == null || configMap.getData() == null ? null
                : configMap.getData().get(AgentConfig.CONFIG_MAP_KEY);
        if (json == null) {
            effective = configPolicy.clear();
            dirty.set(true);
            return;
        }
        ConfigReader.Read read;
        try {
            read = ConfigReader.read(json);
        } catch (IllegalArgumentException e) {
            // Keep measuring with the last valid config; the operator sees the stale hash in the report.
            LOG.warn("ignoring an invalid agent config ({}); keeping config {}", e.getMessage(),
                    effective.config().hash());
            return;
        }
        read.rejected().forEach(entry -> LOG.warn("config entry of monitor {}/{} rejected ({}): {}",
                entry.namespace(), entry.name(), entry.reason(), entry.message()));
        effective = configPolicy.apply(read);
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

    private void onNode(Node node) {
        nodeLabels = node == null || node.getMetadata().getLabels() == null ? Map.of()
                : Map.copyOf(node.getMetadata().getLabels());
        nodeUid = node == null ? null : node.getMetadata().getUid();
        dirty.set(true);
    }

    /** The loop: select when something changed (a watch, a pod's cgroups), report when due. */
    private void tick() {
        try {
            Instant now = clock.instant();
            lastTick = now;
            boolean cgroupsDue = selector.cgroupsDue(now);
            if (dirty.getAndSet(false) || cgroupsDue) {
                selection = selector.sync(effective.config().monitors(), nodeLabels,
                        pods.getStore().list().stream().map(NodeAgent::nodePod).toList());
            }
            if (selector.takeProbesChanged() || !now.isBefore(nextReport)) {
                report(now);
            }
        } catch (RuntimeException e) {
            LOG.error("agent loop failed; retrying at the next tick", e);
        }
    }

    /** Reads the kernel once, publishes the interval's per-pod metrics, and writes the node's report. */
    private void report(Instant now) {
        Map<CgroupId, ProbeCounters> fresh = deltas.next(probes.readCounters());
        selector.forgetUnselected();
        ConfigPolicy.Effective current = effective;
        Map<String, Long> mapFull = probes.mapFullCounts();
        Map<String, MonitorFlows> flows;
        try {
            flows = flows(current.config());
        } catch (RuntimeException e) {
            // Flows must never cost the report either: this interval's per-peer counts stay in the kernel's totals.
            LOG.error("reading flows failed; the report goes out without peers", e);
            flows = Map.of();
        }
        String zone = nodeLabels.get(ZONE_LABEL);
        try {
            publisher.publish(current.config(), selection, fresh, flows, mapFull, otlpHeaders, zone, now);
        } catch (RuntimeException e) {
            // Metrics must never cost the report (or the other way round).
            LOG.error("publishing metrics failed; the report goes out regardless", e);
        }
        reports.add(fresh);
        reports.addFlows(flows);
        nextReport = now.plus(interval(current.config()));
        reports.write(now, current, selection, probes.states(), mapFull, nodeUid);
    }

    /**
     * This interval's flows, per monitor with the flows probe; deletes flows idle for long from the kernel (their
     * pods' budgets get the room back).
     */
    private Map<String, MonitorFlows> flows(AgentConfig config) {
        List<CompiledMonitor> withFlows = config.monitors().stream().filter(m -> MonitorFlows.flowsOf(m) != null)
                .toList();
        if (withFlows.isEmpty() && peers == null) {
            return Map.of();
        }
        FlowDeltas.Interval interval = flowDeltas.next(probes.readFlows());
        if (!interval.idle().isEmpty()) {
            probes.expireFlows(interval.idle());
            flowDeltas.forget(interval.idle());
        }
        if (peers == null) {
            peers = new ClusterPeerDirectory(client, clock);
        }
        Map<String, MonitorFlows> out = new HashMap<>();
        for (CompiledMonitor monitor : withFlows) {
            out.put(monitor.uid(), MonitorFlows.of(monitor, selection.podsOf(monitor.index()), interval, peers));
        }
        return out;
    }

    private boolean healthy() {
        return Duration.between(lastTick, clock.instant()).compareTo(STALLED) < 0;
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
                "Succeeded".equals(phase) || "Failed".equals(phase), Workload.of(pod));
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
        if (peers != null) {
            peers.close();
        }
        publisher.close();
        selector.close();
        if (endpoint != null) {
            endpoint.close();
        }
        probes.close();
        LOG.info("agent on node {} stopped; probes detached", settings.nodeName());
    }
}
