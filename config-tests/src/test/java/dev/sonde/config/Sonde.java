package dev.sonde.config;

import dev.sonde.testsupport.ControlPlane;

/** Names from the contract, and installing the CRDs and RBAC into the local control plane. */
final class Sonde {

    static final String NAMESPACE = "sonde-system";
    static final String OPERATOR = "sonde-operator";
    static final String AGENT = "sonde-agent";
    static final String AGENT_CONFIG = "sonde-agent-config";
    static final String API_VERSION = "sonde.dev/v1alpha1";

    private Sonde() {
    }

    /** Applies config/rbac/ the way hack/demo.sh and the docs do. */
    static void installRbac(ControlPlane cluster) {
        cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "config/rbac/").orThrow();
    }

    static String serviceAccount(String name) {
        return ControlPlane.serviceAccountUser(NAMESPACE, name);
    }
}
