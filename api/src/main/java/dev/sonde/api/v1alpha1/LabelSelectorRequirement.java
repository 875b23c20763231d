package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** One requirement of a {@link LabelSelector}: a key, an operator and, for In/NotIn, values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.operator in ['In', 'NotIn']"
                + " ? (has(self.values) && size(self.values) > 0)"
                + " : (!has(self.values) || size(self.values) == 0)",
        message = "values must be non-empty when operator is In or NotIn, "
                + "and empty when operator is Exists or DoesNotExist")
public class LabelSelectorRequirement {

    @JsonPropertyDescription("The label key the requirement applies to, e.g. app.kubernetes.io/name.")
    @Required
    @Size(min = 1, max = 317)
    @ValidationRule(value = Validation.IS_LABEL_KEY, message = Validation.LABEL_KEY_MESSAGE)
    private String key;

    @JsonPropertyDescription("How the key's value is compared: In, NotIn, Exists or DoesNotExist.")
    @Required
    private SelectorOperator operator;

    @JsonPropertyDescription("Label values for In and NotIn; must be empty for Exists and DoesNotExist.")
    @Size(max = 64)
    @ValidationRule(value = "self.all(v, v.matches('" + Validation.LABEL_VALUE_REGEX + "'))",
            message = Validation.LABEL_VALUE_MESSAGE)
    private List<@Size(max = 63) String> values;

    public LabelSelectorRequirement() {
    }

    public LabelSelectorRequirement(String key, SelectorOperator operator, List<String> values) {
        this.key = key;
        this.operator = operator;
        this.values = values;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public SelectorOperator getOperator() {
        return operator;
    }

    public void setOperator(SelectorOperator operator) {
        this.operator = operator;
    }

    public List<String> getValues() {
        return values;
    }

    public void setValues(List<String> values) {
        this.values = values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelectorRequirement that
                && Objects.equals(key, that.key)
                && operator == that.operator
                && Objects.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, operator, values);
    }

    @Override
    public String toString() {
        return key + " " + operator + " " + values;
    }
}
