package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One peer of a monitor's pods over a window (flows probe): who it is, as far as the monitor may know, and what went
 * between them. In an AgentReport one node's share; in NetworkMonitor.status.peers the sum over nodes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerWindow {

    @JsonPropertyDescription("Kind of peer: pod, service, node or external.")
    private String kind;

    @JsonPropertyDescription("The peer's namespace (pods and Services).")
    private String namespace;

    @JsonPropertyDescription("The peer: pod name (aggregation pod, where allowed), Service name, node name, or external group name ('external' when no group matches). Absent for pods shown by workload.")
    private String name;

    @JsonPropertyDescription("The peer pod's workload kind (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet), or the Service's backend workload.")
    private String workloadKind;

    @JsonPropertyDescription("The peer pod's workload name.")
    private String workloadName;

    @JsonPropertyDescription("For a Service: the backend pod (or workload) the connections reached, where allowed.")
    private String backend;

    @JsonPropertyDescription("The peer's zone (topology.kubernetes.io/zone of its node), when known.")
    private String zone;

    @JsonPropertyDescription("The server port: the peer's for outbound flows, the selected pod's own for inbound ones.")
    private Integer port;

    @JsonPropertyDescription("tcp or udp.")
    private String protocol;

    @JsonPropertyDescription("active: the selected pods connected to the peer; passive: the peer connected to them.")
    private String direction;

    @JsonPropertyDescription("TCP connections over the window (completed or failed connects, or accepts).")
    private Long connections;

    @JsonPropertyDescription("Outbound connects to the peer that failed.")
    private Long connectFailures;

    @JsonPropertyDescription("connectFailures / connections, 0 to 1 (active flows).")
    private Double connectFailureRatio;

    @JsonPropertyDescription("TCP segments retransmitted to the peer.")
    private Long retransmits;

    @JsonPropertyDescription("TCP resets sent to the peer.")
    private Long resetsSent;

    @JsonPropertyDescription("TCP resets received from the peer.")
    private Long resetsReceived;

    @JsonPropertyDescription("Bytes the selected pods sent to the peer.")
    private Long bytesSent;

    @JsonPropertyDescription("Bytes the selected pods received from the peer.")
    private Long bytesReceived;

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getWorkloadKind() {
        return workloadKind;
    }

    public void setWorkloadKind(String workloadKind) {
        this.workloadKind = workloadKind;
    }

    public String getWorkloadName() {
        return workloadName;
    }

    public void setWorkloadName(String workloadName) {
        this.workloadName = workloadName;
    }

    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public String getDirection() {
        return direction;
    }

    public void setDirection(String direction) {
        this.direction = direction;
    }

    public Long getConnections() {
        return connections;
    }

    public void setConnections(Long connections) {
        this.connections = connections;
    }

    public Long getConnectFailures() {
        return connectFailures;
    }

    public void setConnectFailures(Long connectFailures) {
        this.connectFailures = connectFailures;
    }

    public Double getConnectFailureRatio() {
        return connectFailureRatio;
    }

    public void setConnectFailureRatio(Double connectFailureRatio) {
        this.connectFailureRatio = connectFailureRatio;
    }

    public Long getRetransmits() {
        return retransmits;
    }

    public void setRetransmits(Long retransmits) {
        this.retransmits = retransmits;
    }

    public Long getResetsSent() {
        return resetsSent;
    }

    public void setResetsSent(Long resetsSent) {
        this.resetsSent = resetsSent;
    }

    public Long getResetsReceived() {
        return resetsReceived;
    }

    public void setResetsReceived(Long resetsReceived) {
        this.resetsReceived = resetsReceived;
    }

    public Long getBytesSent() {
        return bytesSent;
    }

    public void setBytesSent(Long bytesSent) {
        this.bytesSent = bytesSent;
    }

    public Long getBytesReceived() {
        return bytesReceived;
    }

    public void setBytesReceived(Long bytesReceived) {
        this.bytesReceived = bytesReceived;
    }

    /** Same peer (identity fields equal), whatever the counters. */
    public boolean samePeer(PeerWindow o) {
        return Objects.equals(kind, o.kind)
                && Objects.equals(namespace, o.namespace)
                && Objects.equals(name, o.name)
                && Objects.equals(workloadKind, o.workloadKind)
                && Objects.equals(workloadName, o.workloadName)
                && Objects.equals(backend, o.backend)
                && Objects.equals(zone, o.zone)
                && Objects.equals(port, o.port)
                && Objects.equals(protocol, o.protocol)
                && Objects.equals(direction, o.direction);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerWindow that && samePeer(that)
                && Objects.equals(connections, that.connections)
                && Objects.equals(connectFailures, that.connectFailures)
                && Objects.equals(connectFailureRatio, that.connectFailureRatio)
                && Objects.equals(retransmits, that.retransmits)
                && Objects.equals(resetsSent, that.resetsSent)
                && Objects.equals(resetsReceived, that.resetsReceived)
                && Objects.equals(bytesSent, that.bytesSent)
                && Objects.equals(bytesReceived, that.bytesReceived);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, namespace, name, workloadKind, workloadName, backend, zone, port, protocol, direction);
    }
}
