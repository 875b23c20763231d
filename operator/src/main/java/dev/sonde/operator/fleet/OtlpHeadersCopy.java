package dev.sonde.operator.fleet;

import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.operator.SondeNames;
import dev.sonde.operator.monitor.HeadersSecret;
import dev.sonde.operator.monitor.Reasons;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The agents' copy of the OTLP headers ({@link OtlpHeaders#SECRET_NAME} in the operator namespace): one key per
 * compiled monitor with a headersSecretRef, its headers as JSON. The operator reads each tenant Secret by name in
 * the monitor's namespace and writes only this one Secret, so agents need no right on any tenant's Secret.
 *
 * <p>Not a managed dependent: JOSDK's informer for it would need list/watch on every Secret of the operator
 * namespace; reading and writing it by name needs rights on this one Secret only. The fleet reconciler calls
 * {@link #sync} on every reconcile and at least every {@code sonde.operator.headers-resync}.
 */
final class OtlpHeadersCopy {

    private static final Logger LOG = Logger.getLogger(OtlpHeadersCopy.class);
    static final String FIELD_MANAGER = "agentfleet";

    private OtlpHeadersCopy() {
    }

    /**
     * The copy's data, decoded: monitor uid to its headers as JSON; pure. A valid Secret gives its headers; an
     * invalid one keeps the monitor's previous copy (so a bad edit does not cut off a running export, just as an
     * agent keeps a rejected entry's last valid version); a missing or forbidden one removes it.
     *
     * @param monitors the compiled monitors (valid, not paused)
     * @param read the monitor's headers Secret, judged; empty when it references none
     * @param previous the copy as it is now, decoded
     */
    static Map<String, String> data(Collection<NetworkMonitor> monitors,
            Function<NetworkMonitor, Optional<HeadersSecret.Resolution>> read, Map<String, String> previous) {
        Map<String, String> data = new TreeMap<>();
        for (NetworkMonitor monitor : monitors) {
            String uid = monitor.getMetadata().getUid();
            Optional<HeadersSecret.Resolution> resolution = read.apply(monitor);
            if (resolution.isEmpty()) {
                continue;
            }
            switch (resolution.get()) {
                case HeadersSecret.Valid valid -> data.put(uid, OtlpHeaders.toJson(valid.headers()));
                case HeadersSecret.Problem problem -> {
                    if (Reasons.INVALID_HEADERS_SECRET.equals(problem.reason()) && previous.containsKey(uid)) {
                        data.put(uid, previous.get(uid));
                    }
                }
            }
        }
        return data;
    }

    /**
     * Reads every compiled monitor's headers Secret and writes the copy when its content differs.
     *
     * @return whether any compiled monitor references a headers Secret (then the caller looks again later)
     */
    static boolean sync(KubernetesClient client, Namespace operatorNamespace, Collection<NetworkMonitor> monitors) {
        String namespace = operatorNamespace.getMetadata().getName();
        Secret current = client.secrets().inNamespace(namespace).withName(SondeNames.OTLP_HEADERS_SECRET).get();
        Map<String, String> previous = decode(current);
        Map<String, String> desired = data(monitors, m -> HeadersSecret.read(client, m), previous);
        boolean referenced = monitors.stream().anyMatch(m -> HeadersSecret.referenced(m).isPresent());
        if (desired.equals(previous) && (current != null || !referenced)) {
            return referenced;
        }
        Secret copy = new SecretBuilder()
                .withNewMetadata()
                .withName(SondeNames.OTLP_HEADERS_SECRET)
                .withNamespace(namespace)
                .withLabels(SondeNames.AGENT_LABELS)
                .addNewOwnerReference()
                .withApiVersion("v1").withKind("Namespace").withName(namespace)
                .withUid(operatorNamespace.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .withType("Opaque")
                .withData(encode(desired))
                .build();
        client.secrets().inNamespace(namespace).resource(copy).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        // key counts only: the values are credentials
        LOG.infof("wrote %s/%s: OTLP headers of %d monitors", namespace, SondeNames.OTLP_HEADERS_SECRET,
                desired.size());
        return referenced;
    }

    static Map<String, String> decode(Secret secret) {
        Map<String, String> data = new TreeMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k,
                    new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return data;
    }

    private static Map<String, String> encode(Map<String, String> data) {
        Map<String, String> encoded = new TreeMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return encoded;
    }
}
