package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** A Secret in the NetworkMonitor's own namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretReference {

    @JsonPropertyDescription("Name of the Secret, in the NetworkMonitor's namespace.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = "self.matches('" + Validation.DNS_SUBDOMAIN_REGEX + "')",
            message = "must be a Secret name: lowercase letters, digits, '-' and '.'")
    private String name;

    public SecretReference() {
    }

    public SecretReference(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretReference that && Objects.equals(name, that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(name);
    }
}
