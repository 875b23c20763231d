package dev.sonde.api.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.api.v1alpha1.LabelSelectorRequirement;
import dev.sonde.api.v1alpha1.SelectorOperator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selector semantics as documented for metav1.LabelSelector. */
class CompiledSelectorTest {

    private static final Map<String, String> CHECKOUT = Map.of("app", "checkout", "tier", "backend");

    private static CompiledSelector selector(Map<String, String> labels, LabelSelectorRequirement... requirements) {
        return CompiledSelector.from(new LabelSelector(labels, List.of(requirements)));
    }

    @Test
    void emptyAndAbsentSelectEverything() {
        assertThat(CompiledSelector.from(null).matches(CHECKOUT)).isTrue();
        assertThat(CompiledSelector.from(new LabelSelector()).matches(Map.of())).isTrue();
    }

    @Test
    void matchLabelsNeedEveryLabel() {
        assertThat(selector(Map.of("app", "checkout")).matches(CHECKOUT)).isTrue();
        assertThat(selector(Map.of("app", "checkout", "tier", "frontend")).matches(CHECKOUT)).isFalse();
    }

    @Test
    void operatorsBehaveLikeKubernetes() {
        var in = new LabelSelectorRequirement("tier", SelectorOperator.IN, List.of("backend", "api"));
        var notIn = new LabelSelectorRequirement("tier", SelectorOperator.NOT_IN, List.of("backend"));
        var exists = new LabelSelectorRequirement("canary", SelectorOperator.EXISTS, null);
        var doesNotExist = new LabelSelectorRequirement("canary", SelectorOperator.DOES_NOT_EXIST, null);

        assertThat(selector(null, in).matches(CHECKOUT)).isTrue();
        assertThat(selector(null, notIn).matches(CHECKOUT)).isFalse();
        assertThat(selector(null, notIn).matches(Map.of("app", "x"))).as("NotIn matches a missing key").isTrue();
        assertThat(selector(null, exists).matches(CHECKOUT)).isFalse();
        assertThat(selector(null, doesNotExist).matches(CHECKOUT)).isTrue();
        assertThat(selector(Map.of("app", "checkout"), in, doesNotExist).matches(CHECKOUT)).isTrue();
    }

    @Test
    void canonicalFormIgnoresOrder() {
        var a = selector(Map.of("b", "2", "a", "1"),
                new LabelSelectorRequirement("z", SelectorOperator.IN, List.of("y", "x")),
                new LabelSelectorRequirement("k", SelectorOperator.EXISTS, null));
        var b = selector(Map.of("a", "1", "b", "2"),
                new LabelSelectorRequirement("k", SelectorOperator.EXISTS, List.of()),
                new LabelSelectorRequirement("z", SelectorOperator.IN, List.of("x", "y")));
        assertThat(a).isEqualTo(b);
    }
}
