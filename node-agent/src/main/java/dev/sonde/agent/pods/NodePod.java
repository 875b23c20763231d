package dev.sonde.agent.pods;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import java.util.Map;

/**
 * What the agent needs to know of a pod bound to its node.
 *
 * @param finished the pod's phase is Succeeded or Failed: its containers are gone for good
 */
public record NodePod(String namespace, String name, String uid, Map<String, String> labels, QosClass qos,
        boolean finished) {

    public NodePod {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
