package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Which pods to watch, with which ProbeProfile, exported where. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkMonitorSpec {

    @JsonPropertyDescription("Name of the ProbeProfile (cluster-scoped) that says what to measure and what is healthy.")
    @Required
    @Size(min = 1, max = 253)
    @ValidationRule(value = "self.matches('" + Validation.DNS_SUBDOMAIN_REGEX + "')",
            message = "profile must be the name of a ProbeProfile: lowercase letters, digits, '-' and '.'")
    private String profile;

    @JsonPropertyDescription("Pods to watch, by label. Absent or empty: all pods in the monitor's namespace (or in the "
            + "namespaces namespaceSelector picks).")
    private LabelSelector podSelector;

    @JsonPropertyDescription("Watch pods in the namespaces whose labels match instead of only the monitor's own "
            + "namespace. Honoured only for monitors in namespaces the operator trusts (by default its own); elsewhere the "
            + "monitor is Ready=False with reason NamespaceSelectorForbidden.")
    private LabelSelector namespaceSelector;

    @JsonPropertyDescription("Watch pods only on nodes whose labels match. Absent: all nodes.")
    private LabelSelector nodeSelector;

    @JsonPropertyDescription("Where the per-pod metrics go. Absent: Prometheus endpoint only.")
    private ExportSpec export;

    @JsonPropertyDescription("Stop measuring without deleting the monitor: the agents drop its pods from the kernel "
            + "selection and stop exporting; status keeps the last summary. Default: false.")
    private Boolean paused;

    public String getProfile() {
        return profile;
    }

    public void setProfile(String profile) {
        this.profile = profile;
    }

    public LabelSelector getPodSelector() {
        return podSelector;
    }

    public void setPodSelector(LabelSelector podSelector) {
        this.podSelector = podSelector;
    }

    public LabelSelector getNamespaceSelector() {
        return namespaceSelector;
    }

    public void setNamespaceSelector(LabelSelector namespaceSelector) {
        this.namespaceSelector = namespaceSelector;
    }

    public LabelSelector getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(LabelSelector nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public ExportSpec getExport() {
        return export;
    }

    public void setExport(ExportSpec export) {
        this.export = export;
    }

    public Boolean getPaused() {
        return paused;
    }

    public void setPaused(Boolean paused) {
        this.paused = paused;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkMonitorSpec that
                && Objects.equals(profile, that.profile)
                && Objects.equals(podSelector, that.podSelector)
                && Objects.equals(namespaceSelector, that.namespaceSelector)
                && Objects.equals(nodeSelector, that.nodeSelector)
                && Objects.equals(export, that.export)
                && Objects.equals(paused, that.paused);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, podSelector, namespaceSelector, nodeSelector, export, paused);
    }
}
