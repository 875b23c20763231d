package dev.sonde.agent.pods;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * A pod's workload, as OpenTelemetry's k8s conventions name it: the top owner the pod's own metadata reveals. A
 * ReplicaSet whose name is a Deployment's plus the pod's {@code pod-template-hash} is that Deployment; a Job named
 * after a CronJob plus a schedule number is that CronJob. No lookups: what kubelet-created metadata says.
 *
 * @param kind Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, another owner's kind, or Pod when none
 */
public record Workload(String kind, String name) {

    public static Workload of(Pod pod) {
        return of(pod.getMetadata().getName(), pod.getMetadata().getOwnerReferences(), pod.getMetadata().getLabels());
    }

    static Workload of(String podName, List<OwnerReference> owners, Map<String, String> labels) {
        OwnerReference owner = owners == null ? null
                : owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst()
                        .orElse(owners.isEmpty() ? null : owners.get(0));
        if (owner == null) {
            return new Workload("Pod", podName);
        }
        String hash = labels == null ? null : labels.get("pod-template-hash");
        if ("ReplicaSet".equals(owner.getKind()) && hash != null && owner.getName().endsWith("-" + hash)) {
            return new Workload("Deployment", owner.getName().substring(0, owner.getName().length() - hash.length() - 1));
        }
        if ("Job".equals(owner.getKind()) && owner.getName().matches(".+-\\d{8,}")) {
            return new Workload("CronJob", owner.getName().substring(0, owner.getName().lastIndexOf('-')));
        }
        return new Workload(owner.getKind(), owner.getName());
    }

    /** The OpenTelemetry resource attribute naming this kind, e.g. {@code k8s.deployment.name}; null for a bare pod. */
    public String attributeKey() {
        return switch (kind) {
            case "Deployment" -> "k8s.deployment.name";
            case "StatefulSet" -> "k8s.statefulset.name";
            case "DaemonSet" -> "k8s.daemonset.name";
            case "ReplicaSet" -> "k8s.replicaset.name";
            case "Job" -> "k8s.job.name";
            case "CronJob" -> "k8s.cronjob.name";
            default -> null;
        };
    }
}
