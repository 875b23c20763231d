package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Operators of a label-selector requirement, as in metav1.LabelSelectorRequirement. */
public enum SelectorOperator {
    @JsonProperty("In")
    IN,
    @JsonProperty("NotIn")
    NOT_IN,
    @JsonProperty("Exists")
    EXISTS,
    @JsonProperty("DoesNotExist")
    DOES_NOT_EXIST
}
