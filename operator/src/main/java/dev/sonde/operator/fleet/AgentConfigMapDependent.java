package dev.sonde.operator.fleet;

import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import dev.sonde.operator.Caches;
import dev.sonde.operator.OperatorConfig;
import dev.sonde.operator.SondeNames;
import dev.sonde.operator.monitor.MonitorResolution;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The compiled agent config: every active, unpaused, valid monitor, as {@link AgentConfig} JSON, with its hash
 * in an annotation. Agents watch this ConfigMap and apply changes without a restart, so the DaemonSet is not
 * rolled when it changes.
 */
public class AgentConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, Namespace> {

    private static final Logger LOG = Logger.getLogger(AgentConfigMapDependent.class);

    private final OperatorConfig config;

    public AgentConfigMapDependent(OperatorConfig config) {
        super(ConfigMap.class);
        this.config = config;
    }

    @Override
    protected ConfigMap desired(Namespace primary, Context<Namespace> context) {
        AgentConfigCompiler.Compilation compilation = AgentConfigCompiler.compile(candidates(context, config),
                previous(context));
        AgentConfig agentConfig = compilation.config();
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(SondeNames.AGENT_CONFIG_MAP)
                .withNamespace(primary.getMetadata().getName())
                .withLabels(SondeNames.AGENT_LABELS)
                .addToAnnotations(AgentConfig.HASH_ANNOTATION, agentConfig.hash())
                .endMetadata()
                .addToData(AgentConfig.CONFIG_MAP_KEY, agentConfig.toJson())
                .build();
    }

    /** The monitors that go into the config: not deleted, not paused, and resolved. */
    static List<AgentConfigCompiler.Candidate> candidates(Context<Namespace> context, OperatorConfig config) {
        List<AgentConfigCompiler.Candidate> candidates = new ArrayList<>();
        List<Namespace> namespaces = Caches.all(context, Namespace.class).toList();
        Caches.all(context, NetworkMonitor.class)
                .filter(m -> m.getSpec() != null && m.getMetadata().getDeletionTimestamp() == null)
                .filter(m -> !Boolean.TRUE.equals(m.getSpec().getPaused()))
                .forEach(m -> {
                    ProbeProfile profile = Caches.get(context, ProbeProfile.class, m.getSpec().getProfile(), null)
                            .orElse(null);
                    if (MonitorResolution.resolve(m, profile, config.trusted(), namespaces)
                            instanceof MonitorResolution.Accepted accepted) {
                        candidates.add(new AgentConfigCompiler.Candidate(m, accepted));
                    }
                });
        return candidates;
    }

    /** The config currently written, for stable monitor indexes; null when absent or unreadable. */
    private static AgentConfig previous(Context<Namespace> context) {
        Optional<String> json = context.getSecondaryResource(ConfigMap.class)
                .map(ConfigMap::getData)
                .map(d -> d.get(AgentConfig.CONFIG_MAP_KEY));
        try {
            return json.map(AgentConfig::fromJson).orElse(null);
        } catch (IllegalArgumentException e) {
            LOG.warnf("replacing an unreadable agent config: %s", e.getMessage());
            return null;
        }
    }

    @Override
    protected InformerEventSource<ConfigMap, Namespace> createEventSource(EventSourceContext<Namespace> context) {
        InformerEventSource<ConfigMap, Namespace> informer = FleetDependents.informer(ConfigMap.class, name(),
                config.namespace(), context);
        setEventSource(informer);
        return informer;
    }
}
