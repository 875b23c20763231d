package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the flows probe names a peer that is a pod. */
public enum FlowAggregation {
    /** by its workload (Deployment, StatefulSet, ...): the pods of one workload are one peer */
    @JsonProperty("workload")
    WORKLOAD,
    /** by the pod itself (its name), within what {@link PeerVisibility} allows */
    @JsonProperty("pod")
    POD
}
