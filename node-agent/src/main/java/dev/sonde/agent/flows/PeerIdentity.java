package dev.sonde.agent.flows;

/**
 * Who an address is in the cluster, in full: what the directory knows. What a monitor may see of it is
 * {@link PeerView}'s call.
 *
 * @param namespace pods and Services; null otherwise
 * @param name pod, Service or node name; null for external addresses
 * @param workloadKind a pod's workload kind (see {@link dev.sonde.agent.pods.Workload}); null otherwise
 * @param node the node a pod runs on, or the node itself; null when unknown
 * @param zone that node's {@code topology.kubernetes.io/zone}; null when unknown
 */
public record PeerIdentity(Kind kind, String namespace, String name, String workloadKind, String workloadName,
        String node, String zone) {

    /** sonde.peer.kind */
    public enum Kind {
        POD("pod"), SERVICE("service"), NODE("node"), EXTERNAL("external");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public static final PeerIdentity EXTERNAL = new PeerIdentity(Kind.EXTERNAL, null, null, null, null, null, null);
}
