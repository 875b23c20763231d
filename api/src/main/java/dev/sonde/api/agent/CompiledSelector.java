package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sonde.api.v1alpha1.LabelSelector;
import dev.sonde.api.v1alpha1.LabelSelectorRequirement;
import dev.sonde.api.v1alpha1.SelectorOperator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A label selector in canonical form (labels by key, requirements sorted, values sorted); empty selects
 * everything, as in Kubernetes.
 *
 * @param matchLabels labels that must be present with these values
 * @param matchExpressions requirements that must all hold
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CompiledSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    /** Selects everything. */
    public static final CompiledSelector EVERYTHING = new CompiledSelector(Map.of(), List.of());

    public CompiledSelector {
        matchLabels = matchLabels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(matchLabels));
        matchExpressions = matchExpressions == null ? List.of() : matchExpressions.stream()
                .sorted(Comparator.comparing(Requirement::key).thenComparing(Requirement::operator)
                        .thenComparing(r -> String.join(",", r.values())))
                .distinct()
                .toList();
    }

    /** The canonical form of an API selector; null gives {@link #EVERYTHING}. */
    public static CompiledSelector from(LabelSelector selector) {
        if (selector == null) {
            return EVERYTHING;
        }
        List<Requirement> requirements = selector.getMatchExpressions() == null ? List.of()
                : selector.getMatchExpressions().stream().map(Requirement::from).toList();
        return new CompiledSelector(selector.getMatchLabels(), requirements);
    }

    /** Whether an object with these labels is selected. */
    public boolean matches(Map<String, String> labels) {
        Map<String, String> actual = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> wanted : matchLabels.entrySet()) {
            if (!wanted.getValue().equals(actual.get(wanted.getKey()))) {
                return false;
            }
        }
        return matchExpressions.stream().allMatch(r -> r.matches(actual));
    }

    /**
     * One requirement, as in metav1.LabelSelectorRequirement.
     *
     * @param key the label key
     * @param operator In, NotIn, Exists or DoesNotExist
     * @param values for In and NotIn, sorted and distinct
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Requirement(String key, SelectorOperator operator, List<String> values) {

        public Requirement {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(operator, "operator");
            values = values == null ? List.of() : values.stream().distinct().sorted().toList();
        }

        static Requirement from(LabelSelectorRequirement requirement) {
            return new Requirement(requirement.getKey(), requirement.getOperator(), requirement.getValues());
        }

        boolean matches(Map<String, String> labels) {
            return switch (operator) {
                case IN -> labels.containsKey(key) && values.contains(labels.get(key));
                case NOT_IN -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case EXISTS -> labels.containsKey(key);
                case DOES_NOT_EXIST -> !labels.containsKey(key);
            };
        }
    }
}
