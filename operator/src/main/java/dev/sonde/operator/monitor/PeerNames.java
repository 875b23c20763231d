package dev.sonde.operator.monitor;

import dev.sonde.api.v1alpha1.PeerWindow;

/**
 * A flow peer as a person reads it in a health reason: {@code Service demo/inventory:8080} (with
 * {@code (backend inventory-0)} when the flow names the backend it reached), {@code pod demo/web-0},
 * {@code Deployment demo/web}, {@code node node-a}, {@code external corporate-vpn} (an external CIDR group),
 * {@code an external address} (in no group), or {@code a pod in namespace billing} when the monitor may know no
 * more of it.
 */
public final class PeerNames {

    private PeerNames() {
    }

    public static String describe(PeerWindow peer) {
        String kind = peer.getKind() == null ? "" : peer.getKind();
        return switch (kind) {
            case "service" -> "Service " + qualified(peer.getNamespace(), peer.getName())
                    + (peer.getPort() == null ? "" : ":" + peer.getPort())
                    + (peer.getBackend() == null ? "" : " (backend " + peer.getBackend() + ")");
            case "node" -> "node " + peer.getName();
            // the agent names an address no CIDR group matches "external"
            case "external" -> peer.getName() == null || peer.getName().equals("external") ? "an external address"
                    : "external " + peer.getName();
            case "pod" -> pod(peer);
            default -> (kind + " " + qualified(peer.getNamespace(), peer.getName())).strip();
        };
    }

    private static String pod(PeerWindow peer) {
        if (peer.getName() != null) {
            return "pod " + qualified(peer.getNamespace(), peer.getName());
        }
        if (peer.getWorkloadName() != null) {
            String workloadKind = peer.getWorkloadKind() == null ? "workload" : peer.getWorkloadKind();
            return workloadKind + " " + qualified(peer.getNamespace(), peer.getWorkloadName());
        }
        return peer.getNamespace() == null ? "a pod" : "a pod in namespace " + peer.getNamespace();
    }

    private static String qualified(String namespace, String name) {
        if (name == null) {
            return namespace == null ? "" : namespace;
        }
        return namespace == null ? name : namespace + "/" + name;
    }
}
