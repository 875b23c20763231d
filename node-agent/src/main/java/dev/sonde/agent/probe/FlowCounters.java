package dev.sonde.agent.probe;

/**
 * A flow's cumulative counters (struct flow_value summed over CPUs).
 *
 * @param connections TCP connects that completed or failed (active), or accepts (passive)
 * @param connectFailures TCP connects that failed
 * @param bytesSent TCP: what the application wrote; UDP: datagram payload
 * @param bytesReceived TCP: what the application read; UDP: datagram payload
 * @param rtt smoothed RTT samples of the flow's connections
 */
public record FlowCounters(long connections, long connectFailures, long resetsSent, long resetsReceived,
        long retransmits, long bytesSent, long bytesReceived, KernelHistogram rtt) {

    public static final FlowCounters ZERO = new FlowCounters(0, 0, 0, 0, 0, 0, 0, KernelHistogram.EMPTY);

    /** this - earlier, for cumulative counters of the same flow. */
    public FlowCounters minus(FlowCounters earlier) {
        return new FlowCounters(connections - earlier.connections, connectFailures - earlier.connectFailures,
                resetsSent - earlier.resetsSent, resetsReceived - earlier.resetsReceived,
                retransmits - earlier.retransmits, bytesSent - earlier.bytesSent, bytesReceived - earlier.bytesReceived,
                rtt.minus(earlier.rtt));
    }

    public FlowCounters plus(FlowCounters o) {
        return new FlowCounters(connections + o.connections, connectFailures + o.connectFailures,
                resetsSent + o.resetsSent, resetsReceived + o.resetsReceived, retransmits + o.retransmits,
                bytesSent + o.bytesSent, bytesReceived + o.bytesReceived, rtt.plus(o.rtt));
    }

    public boolean isZero() {
        return equals(ZERO);
    }
}
