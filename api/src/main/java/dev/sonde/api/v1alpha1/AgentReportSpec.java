package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one node agent observed: kernel facts, probe states and the last window's aggregates per monitor. Written
 * only by that node's agent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentReportSpec {

    @JsonPropertyDescription("The node; equal to metadata.name.")
    @Required
    private String nodeName;

    @JsonPropertyDescription("Version of the node agent, e.g. 0.1.0.")
    private String agentVersion;

    @JsonPropertyDescription("Hash of the compiled agent config (AgentConfig) the agent was running for this window.")
    private String configHash;

    @JsonPropertyDescription("Kernel facts of the node.")
    private KernelFacts kernel;

    @JsonPropertyDescription("State of every probe on this node.")
    private List<NodeProbeStatus> probes = new ArrayList<>();

    @JsonPropertyDescription("Start of the aggregation window, RFC 3339 with sub-second precision.")
    private String windowStart;

    @JsonPropertyDescription("End of the aggregation window, RFC 3339 with sub-second precision.")
    private String windowEnd;

    @JsonPropertyDescription("Aggregates per NetworkMonitor that selects pods on this node.")
    private List<MonitorWindow> monitors = new ArrayList<>();

    @JsonPropertyDescription("Times a BPF map was full during the window, so some events were not counted.")
    private Long mapFullEvents;


    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public String getAgentVersion() {
        return agentVersion;
    }

    public void setAgentVersion(String agentVersion) {
        this.agentVersion = agentVersion;
    }

    public String getConfigHash() {
        return configHash;
    }

    public void setConfigHash(String configHash) {
        this.configHash = configHash;
    }

    public KernelFacts getKernel() {
        return kernel;
    }

    public void setKernel(KernelFacts kernel) {
        this.kernel = kernel;
    }

    public List<NodeProbeStatus> getProbes() {
        return probes;
    }

    public void setProbes(List<NodeProbeStatus> probes) {
        this.probes = probes;
    }

    public String getWindowStart() {
        return windowStart;
    }

    public void setWindowStart(String windowStart) {
        this.windowStart = windowStart;
    }

    public String getWindowEnd() {
        return windowEnd;
    }

    public void setWindowEnd(String windowEnd) {
        this.windowEnd = windowEnd;
    }

    public List<MonitorWindow> getMonitors() {
        return monitors;
    }

    public void setMonitors(List<MonitorWindow> monitors) {
        this.monitors = monitors;
    }

    public Long getMapFullEvents() {
        return mapFullEvents;
    }

    public void setMapFullEvents(Long mapFullEvents) {
        this.mapFullEvents = mapFullEvents;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentReportSpec that
                && Objects.equals(nodeName, that.nodeName)
                && Objects.equals(agentVersion, that.agentVersion)
                && Objects.equals(configHash, that.configHash)
                && Objects.equals(kernel, that.kernel)
                && Objects.equals(probes, that.probes)
                && Objects.equals(windowStart, that.windowStart)
                && Objects.equals(windowEnd, that.windowEnd)
                && Objects.equals(monitors, that.monitors)
                && Objects.equals(mapFullEvents, that.mapFullEvents);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeName, agentVersion, configHash, kernel, probes, windowStart, windowEnd, monitors,
                mapFullEvents);
    }
}
