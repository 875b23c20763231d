package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A label query with the shape of metav1.LabelSelector. Sonde's own type (not fabric8's) so the CRD
 * schema can restrict operators and require keys. An empty selector selects everything.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabelSelector {

    @JsonPropertyDescription("Labels that must all be present with exactly these values; keys are label keys "
            + "such as app or app.kubernetes.io/name.")
    @Size(max = 64)
    @ValidationRule(value = Validation.ALL_KEYS_ARE_LABEL_KEYS, message = Validation.LABEL_KEY_MESSAGE)
    @ValidationRule(value = "self.all(k, self[k].matches('" + Validation.LABEL_VALUE_REGEX + "'))",
            message = Validation.LABEL_VALUE_MESSAGE)
    private Map<String, @Size(max = 63) String> matchLabels;

    @JsonPropertyDescription("Requirements that must all hold; combined with matchLabels by AND.")
    @Size(max = 32)
    private List<LabelSelectorRequirement> matchExpressions;

    public LabelSelector() {
    }

    public LabelSelector(Map<String, String> matchLabels, List<LabelSelectorRequirement> matchExpressions) {
        this.matchLabels = matchLabels;
        this.matchExpressions = matchExpressions;
    }

    public Map<String, String> getMatchLabels() {
        return matchLabels;
    }

    public void setMatchLabels(Map<String, String> matchLabels) {
        this.matchLabels = matchLabels;
    }

    public List<LabelSelectorRequirement> getMatchExpressions() {
        return matchExpressions;
    }

    public void setMatchExpressions(List<LabelSelectorRequirement> matchExpressions) {
        this.matchExpressions = matchExpressions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector that
                && Objects.equals(matchLabels, that.matchLabels)
                && Objects.equals(matchExpressions, that.matchExpressions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(matchLabels, matchExpressions);
    }

    @Override
    public String toString() {
        return "LabelSelector{matchLabels=" + matchLabels + ", matchExpressions=" + matchExpressions + "}";
    }
}
