package dev.sonde.operator.profile;

import dev.sonde.api.v1alpha1.KubeDuration;
import dev.sonde.api.v1alpha1.OverheadClass;
import dev.sonde.api.v1alpha1.ProbeProfileSpec;
import dev.sonde.api.v1alpha1.ProbeSpec;
import java.time.Duration;

/**
 * Expected per-node cost of a profile. Probes on connection state changes are cheap; probes that run per
 * packet cost more; a short interval adds map reads and report writes.
 *
 * <table>
 * <caption>points per probe</caption>
 * <tr><td>tcpConnections, tcpRetransmits, tcpResets, tcpRtt (one sample per connection, at its close)</td><td>1</td></tr>
 * <tr><td>dns</td><td>2</td></tr>
 * <tr><td>traffic, packetDrops</td><td>3</td></tr>
 * <tr><td>flows (socket storage per connection, a peer lookup on every send and receive, a netfilter hook): the
 * most expensive probe</td><td>4</td></tr>
 * <tr><td>interval below 5s</td><td>+1</td></tr>
 * </table>
 * Up to 3 points is low, up to 6 medium, more is high.
 */
public final class OverheadClassifier {

    static final Duration SHORT_INTERVAL = Duration.ofSeconds(5);

    private OverheadClassifier() {
    }

    public static OverheadClass classify(ProbeProfileSpec spec) {
        int points = score(spec);
        if (points <= 3) {
            return OverheadClass.LOW;
        }
        return points <= 6 ? OverheadClass.MEDIUM : OverheadClass.HIGH;
    }

    static int score(ProbeProfileSpec spec) {
        int points = 0;
        if (spec.getProbes() != null) {
            for (ProbeSpec probe : spec.getProbes()) {
                points += points(probe);
            }
        }
        // an unparsable interval is reported by ProfileValidator, not here
        if (KubeDuration.tryParse(spec.getInterval()).filter(i -> i.compareTo(SHORT_INTERVAL) < 0).isPresent()) {
            points += 1;
        }
        return points;
    }

    private static int points(ProbeSpec probe) {
        if (probe.getName() == null) {
            return 0;
        }
        return switch (probe.getName()) {
            case TCP_CONNECTIONS, TCP_RETRANSMITS, TCP_RESETS, TCP_RTT -> 1;
            case DNS -> 2;
            case TRAFFIC, PACKET_DROPS -> 3;
            case FLOWS -> 4;
        };
    }
}
