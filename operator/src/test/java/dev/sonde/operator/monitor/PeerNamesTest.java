package dev.sonde.operator.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.PeerWindow;
import org.junit.jupiter.api.Test;

class PeerNamesTest {

    static PeerWindow peer(String kind, String namespace, String name, String workloadKind, String workloadName,
            Integer port) {
        PeerWindow p = new PeerWindow();
        p.setKind(kind);
        p.setNamespace(namespace);
        p.setName(name);
        p.setWorkloadKind(workloadKind);
        p.setWorkloadName(workloadName);
        p.setPort(port);
        p.setProtocol("tcp");
        p.setDirection("active");
        return p;
    }

    @Test
    void aServiceIsNamedWithItsNamespaceAndPort() {
        assertThat(PeerNames.describe(peer("service", "demo", "inventory", "Deployment", "inventory", 8080)))
                .isEqualTo("Service demo/inventory:8080");
        PeerWindow reached = peer("service", "demo", "inventory", null, null, 8080);
        reached.setBackend("inventory-7d9f-x2");
        assertThat(PeerNames.describe(reached)).isEqualTo("Service demo/inventory:8080 (backend inventory-7d9f-x2)");
    }

    @Test
    void aPodByNameOrByWorkload() {
        assertThat(PeerNames.describe(peer("pod", "demo", "web-0", "StatefulSet", "web", 8080)))
                .isEqualTo("pod demo/web-0");
        assertThat(PeerNames.describe(peer("pod", "demo", null, "Deployment", "checkout", 8080)))
                .isEqualTo("Deployment demo/checkout");
    }

    @Test
    void aPodTheMonitorMayOnlyKnowTheNamespaceOf() {
        assertThat(PeerNames.describe(peer("pod", "billing", null, null, null, 443)))
                .isEqualTo("a pod in namespace billing");
    }

    @Test
    void nodesAndExternalGroups() {
        assertThat(PeerNames.describe(peer("node", null, "node-a", null, null, 10250))).isEqualTo("node node-a");
        assertThat(PeerNames.describe(peer("external", null, "corporate-vpn", null, null, 443)))
                .isEqualTo("external corporate-vpn");
        assertThat(PeerNames.describe(peer("external", null, "external", null, null, 443)))
                .as("in no CIDR group").isEqualTo("an external address");
    }
}
