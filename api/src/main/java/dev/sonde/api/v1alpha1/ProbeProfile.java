package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What to measure and what counts as healthy. Cluster-scoped and admin-curated, like a StorageClass.
 *
 * <p>Printer columns are listed in display order; the CRD generator sorts them by path and
 * {@code CrdGeneration} restores this order.
 */
@JsonClassDescription("ProbeProfile says what to measure and what counts as healthy. Cluster-scoped and curated by "
        + "admins, like a StorageClass; NetworkMonitors refer to it by name.")
@Group(SondeApi.GROUP)
@Version(SondeApi.VERSION)
@ShortNames("pp")
// A column can't join a list (the server prints only the first match), so the operator writes the joined names.
@AdditionalPrinterColumn(name = "PROBES", jsonPath = ".status.probeSummary", getDescription = "Probes the profile runs")
@AdditionalPrinterColumn(name = "INTERVAL", jsonPath = ".spec.interval",
        getDescription = "Aggregation and report interval")
@AdditionalPrinterColumn(name = "OVERHEAD", jsonPath = ".status.overheadClass",
        getDescription = "Expected per-node overhead")
@AdditionalPrinterColumn(name = "MONITORS", jsonPath = ".status.monitors", type = Type.INTEGER,
        getDescription = "NetworkMonitors using the profile")
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class ProbeProfile extends CustomResource<ProbeProfileSpec, ProbeProfileStatus> {

    @Override
    @Required
    @JsonPropertyDescription("The probes to run, how often, and the health thresholds.")
    public ProbeProfileSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Observed state, written by the operator.")
    public ProbeProfileStatus getStatus() {
        return super.getStatus();
    }
}
