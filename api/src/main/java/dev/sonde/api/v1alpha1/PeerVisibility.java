package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a NetworkMonitor outside the operator's trusted namespaces learns about a flow's peer in another namespace (in
 * status, metrics and exports alike). Pod IPs are never revealed; Services are always named.
 */
public enum PeerVisibility {
    /** the peer's kind and namespace only */
    @JsonProperty("Namespace")
    NAMESPACE,
    /** also its workload's kind and name (the default) */
    @JsonProperty("Workload")
    WORKLOAD,
    /** also the pod's name */
    @JsonProperty("Pod")
    POD
}
