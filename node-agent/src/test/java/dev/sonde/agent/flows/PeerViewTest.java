package dev.sonde.agent.flows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.probe.CgroupId;
import dev.sonde.agent.probe.FlowKey;
import dev.sonde.api.agent.CompiledFlows;
import dev.sonde.api.v1alpha1.ExternalPeerGroup;
import dev.sonde.api.v1alpha1.FlowAggregation;
import dev.sonde.api.v1alpha1.PeerVisibility;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerViewTest {
    private static final PeerIdentity SHOP_POD = new PeerIdentity(PeerIdentity.Kind.POD, "shop", "cart-7d9f-x2",
            "Deployment", "cart", "n1", "zone-a");
    private static final PeerIdentity BANK_POD = new PeerIdentity(PeerIdentity.Kind.POD, "bank", "ledger-0",
            "StatefulSet", "ledger", "n2", "zone-b");
    private static final PeerIdentity BANK_SVC = new PeerIdentity(PeerIdentity.Kind.SERVICE, "bank", "ledger", null,
            null, null, null);

    private static FlowKey key(String peer) throws Exception {
        return new FlowKey(new CgroupId(7), InetAddress.getByName(peer), null, 8080, 0, FlowKey.Direction.ACTIVE,
                FlowKey.Transport.TCP);
    }

    private static CompiledFlows flows(FlowAggregation aggregation, PeerVisibility visibility, boolean trusted) {
        return new CompiledFlows(aggregation, 64, List.of(), visibility, trusted);
    }

    @Test
    void ownNamespaceInFullOtherNamespacesByWorkloadByDefault() throws Exception {
        PeerView view = new PeerView("shop", flows(FlowAggregation.POD, PeerVisibility.WORKLOAD, false));
        Peer own = view.of(key("10.0.0.1"), SHOP_POD, null);
        assertThat(own.name()).isEqualTo("cart-7d9f-x2");
        assertThat(own.workloadName()).isEqualTo("cart");
        Peer other = view.of(key("10.0.0.2"), BANK_POD, null);
        assertThat(other.namespace()).isEqualTo("bank");
        assertThat(other.name()).as("another tenant's pod name").isNull();
        assertThat(other.workloadKind()).isEqualTo("StatefulSet");
        assertThat(other.workloadName()).isEqualTo("ledger");
        assertThat(other.zone()).isEqualTo("zone-b");
    }

    @Test
    void aBarePodOfAnotherNamespaceIsNotNamedThroughItsWorkload() throws Exception {
        PeerIdentity bare = new PeerIdentity(PeerIdentity.Kind.POD, "bank", "debug-shell", "Pod", "debug-shell", "n2",
                null);
        Peer seen = new PeerView("shop", flows(FlowAggregation.WORKLOAD, PeerVisibility.WORKLOAD, false))
                .of(key("10.0.0.3"), bare, null);
        assertThat(seen.workloadName()).isNull();
        assertThat(seen.namespace()).isEqualTo("bank");
    }

    @Test
    void namespaceVisibilityHidesTheWorkloadAndServicesStayNamedWithTheirBackendWithheld() throws Exception {
        PeerView view = new PeerView("shop", flows(FlowAggregation.POD, PeerVisibility.NAMESPACE, false));
        Peer other = view.of(key("10.0.0.2"), BANK_POD, null);
        assertThat(other.workloadName()).isNull();
        assertThat(other.workloadKind()).isNull();
        assertThat(other.name()).isNull();
        Peer svc = view.of(key("10.96.0.9"), BANK_SVC, BANK_POD);
        assertThat(svc.kind()).isEqualTo(PeerIdentity.Kind.SERVICE);
        assertThat(svc.name()).isEqualTo("ledger");
        assertThat(svc.backend()).isNull();
    }

    @Test
    void trustedMonitorsSeeEveryPodAndWorkloadAggregationNeverNamesPods() throws Exception {
        PeerView trusted = new PeerView("shop", flows(FlowAggregation.POD, PeerVisibility.NAMESPACE, true));
        assertThat(trusted.of(key("10.0.0.2"), BANK_POD, null).name()).isEqualTo("ledger-0");
        assertThat(trusted.of(key("10.96.0.9"), BANK_SVC, BANK_POD).backend()).isEqualTo("ledger-0");
        PeerView byWorkload = new PeerView("shop", flows(FlowAggregation.WORKLOAD, PeerVisibility.POD, true));
        assertThat(byWorkload.of(key("10.0.0.1"), SHOP_POD, null).name()).isNull();
        assertThat(byWorkload.of(key("10.96.0.9"), BANK_SVC, BANK_POD).backend()).isEqualTo("ledger");
    }

    @Test
    void externalAddressesFallIntoTheLongestMatchingGroupNeverARawAddress() throws Exception {
        CompiledFlows f = new CompiledFlows(FlowAggregation.WORKLOAD, 64, List.of(
                new ExternalPeerGroup("corp", List.of("203.0.113.0/24")),
                new ExternalPeerGroup("corp-db", List.of("203.0.113.128/25")),
                new ExternalPeerGroup("v6", List.of("2001:db8::/32"))), PeerVisibility.WORKLOAD, false);
        PeerView view = new PeerView("shop", f);
        assertThat(view.of(key("203.0.113.7"), PeerIdentity.EXTERNAL, null).name()).isEqualTo("corp");
        assertThat(view.of(key("203.0.113.200"), PeerIdentity.EXTERNAL, null).name()).isEqualTo("corp-db");
        assertThat(view.of(key("2001:db8::1"), PeerIdentity.EXTERNAL, null).name()).isEqualTo("v6");
        assertThat(view.of(key("198.51.100.1"), PeerIdentity.EXTERNAL, null).name()).isEqualTo("external");
    }
}
