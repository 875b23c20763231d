package dev.sonde.operator.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.operator.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceSelectorResolverTest {

    private static final LabelSelector TEAM_SHOP = new LabelSelector(Map.of("team", "shop"), null);

    @Test
    void selectorOnlyInTrustedNamespaces() {
        assertThat(NamespaceSelectorResolver.allowed("sonde-system", TEAM_SHOP, List.of("sonde-system"))).isTrue();
        assertThat(NamespaceSelectorResolver.allowed("shop", TEAM_SHOP, List.of("sonde-system"))).isFalse();
        assertThat(NamespaceSelectorResolver.allowed("shop", null, List.of("sonde-system"))).isTrue();
    }

    @Test
    void resolvesMatchingNamespacesSorted() {
        var namespaces = List.of(
                Fixtures.namespace("shop-b", Map.of("team", "shop")),
                Fixtures.namespace("shop-a", Map.of("team", "shop")),
                Fixtures.namespace("bank", Map.of("team", "bank")));
        assertThat(NamespaceSelectorResolver.namespaces("sonde-system", TEAM_SHOP, namespaces))
                .containsExactly("shop-a", "shop-b");
        assertThat(NamespaceSelectorResolver.namespaces("shop-a", null, namespaces)).containsExactly("shop-a");
    }

    @Test
    void terminatingNamespacesAreLeftOut() {
        var leaving = Fixtures.namespace("shop-old", Map.of("team", "shop"));
        leaving.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(NamespaceSelectorResolver.namespaces("sonde-system", TEAM_SHOP, List.of(leaving))).isEmpty();
    }
}
