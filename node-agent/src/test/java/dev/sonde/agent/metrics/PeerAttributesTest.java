package dev.sonde.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.agent.flows.Peer;
import dev.sonde.agent.flows.PeerIdentity;
import dev.sonde.agent.probe.FlowKey;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

class PeerAttributesTest {

    private static final Peer INVENTORY = new Peer(PeerIdentity.Kind.SERVICE, "shop", "inventory", null, null,
            "inventory-0", "zone-b", 8080, FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);

    private final PeerAttributes attributes = new PeerAttributes();

    @Test
    void aPeersSetsAreItsAttributesAndEachDirection() {
        PeerAttributes.Sets sets = attributes.of(INVENTORY);

        Attributes own = Attributes.builder().put("sonde.peer.kind", "service").put("sonde.flow.direction", "active")
                .put("network.peer.port", 8080L).put("network.transport", "tcp").put("sonde.peer.namespace", "shop")
                .put("sonde.peer.name", "inventory").put("sonde.peer.backend.name", "inventory-0")
                .put("sonde.peer.zone", "zone-b").build();
        assertThat(sets.peer()).isEqualTo(own);
        assertThat(sets.resetsSent()).isEqualTo(own.toBuilder().put("direction", "sent").build());
        assertThat(sets.resetsReceived()).isEqualTo(own.toBuilder().put("direction", "received").build());
        assertThat(sets.transmit()).isEqualTo(own.toBuilder().put("network.io.direction", "transmit").build());
        assertThat(sets.receive()).isEqualTo(own.toBuilder().put("network.io.direction", "receive").build());
        assertThat(sets.peer().get(AttributeKey.stringKey("sonde.peer.workload.name"))).as("unknown: left out")
                .isNull();
    }

    @Test
    void aPeerKeepsItsSetsWhileUsedAndEveryPeerHasItsOwn() {
        PeerAttributes.Sets first = attributes.of(INVENTORY);
        Peer otherPort = new Peer(PeerIdentity.Kind.SERVICE, "shop", "inventory", null, null, "inventory-0", "zone-b",
                9090, FlowKey.Transport.TCP, FlowKey.Direction.ACTIVE);

        assertThat(attributes.of(INVENTORY)).as("another pod's series with the same peer").isSameAs(first);
        assertThat(attributes.of(otherPort).peer()).isNotEqualTo(first.peer());
        attributes.endInterval();
        assertThat(attributes.of(INVENTORY)).as("the next interval").isSameAs(first);
        assertThat(attributes.size()).isEqualTo(2);
    }

    @Test
    void peersUnusedForAWholeIntervalAreForgotten() {
        PeerAttributes.Sets first = attributes.of(INVENTORY);
        attributes.endInterval();
        assertThat(attributes.size()).as("used in the previous interval").isEqualTo(1);
        attributes.endInterval();

        assertThat(attributes.size()).isZero();
        PeerAttributes.Sets again = attributes.of(INVENTORY);
        assertThat(again).isNotSameAs(first).isEqualTo(first);
    }
}
