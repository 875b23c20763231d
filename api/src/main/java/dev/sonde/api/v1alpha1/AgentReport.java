package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One node agent's report, in the operator's namespace, named after the node. The agent writes the whole
 * report as its spec (it is the only writer, and one write per interval); the operator reads and merges
 * them into NetworkMonitor status. There is no status.
 */
@JsonClassDescription("AgentReport is one node agent's report: kernel facts, probe states and the last window's "
        + "aggregates per NetworkMonitor. One per node, named after the node, in the operator's namespace; written only "
        + "by that node's agent, read by the operator.")
@Group(SondeApi.GROUP)
@Version(SondeApi.VERSION)
@ValidationRule(fieldPath = ".spec.nodeName",
        value = "!has(self.spec) || self.spec.nodeName == self.metadata.name",
        message = "an AgentReport must be named after its node: metadata.name must equal spec.nodeName")
@AdditionalPrinterColumn(name = "AGENT", jsonPath = ".spec.agentVersion", getDescription = "Agent version")
@AdditionalPrinterColumn(name = "KERNEL", jsonPath = ".spec.kernel.release", getDescription = "Kernel release")
@AdditionalPrinterColumn(name = "WINDOW-END", jsonPath = ".spec.windowEnd", type = Type.DATE,
        getDescription = "End of the last reported window")
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class AgentReport extends CustomResource<AgentReportSpec, Void> implements Namespaced {

    @Override
    @Required
    @JsonPropertyDescription("The report. Written whole by the node's agent once per interval.")
    public AgentReportSpec getSpec() {
        return super.getSpec();
    }
}
