package dev.sonde.agent.pods;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import java.util.Map;

/**
 * What the agent needs to know of a pod bound to its node.
 *
 * @param finished the pod's phase is Succeeded or Failed: its containers are gone for good
 * @param workload the pod's owner as OpenTelemetry names it
 */
public record NodePod(String namespace, String name, String uid, Map<String, String> labels, QosClass qos,
        boolean finished, Workload workload) {

    public NodePod {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        workload = workload == null ? new Workload("Pod", name) : workload;
    }

    /** A pod without an owner. */
    public NodePod(String namespace, String name, String uid, Map<String, String> labels, QosClass qos,
            boolean finished) {
        this(namespace, name, uid, labels, qos, finished, null);
    }

    /** service.name: the {@code app.kubernetes.io/name} label, else the workload's name. */
    public String serviceName() {
        return labels.getOrDefault("app.kubernetes.io/name", workload.name());
    }
}
