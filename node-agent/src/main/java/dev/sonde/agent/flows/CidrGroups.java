package dev.sonde.agent.flows;

import dev.sonde.api.v1alpha1.ExternalPeerGroup;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A profile's named external ranges: an address belongs to the group with the longest matching prefix. */
final class CidrGroups {
    static final String EXTERNAL = "external";

    private record Range(String group, byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private CidrGroups(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** The API server validated each entry with isCIDR(); an entry that still doesn't parse matches nothing. */
    static CidrGroups of(List<ExternalPeerGroup> groups) {
        List<Range> ranges = new ArrayList<>();
        for (ExternalPeerGroup g : groups) {
            for (String cidr : g.getCidrs() == null ? List.<String>of() : g.getCidrs()) {
                int slash = cidr.indexOf('/');
                try {
                    byte[] network = InetAddress.getByName(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
                    int prefix = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
                    if (prefix >= 0 && prefix <= network.length * 8) {
                        ranges.add(new Range(g.getName(), network, prefix));
                    }
                } catch (UnknownHostException | NumberFormatException e) {
                    // not an address literal: matches nothing
                }
            }
        }
        ranges.sort(Comparator.comparingInt(Range::prefix).reversed());
        return new CidrGroups(List.copyOf(ranges));
    }

    /** The group of an address, or {@link #EXTERNAL}. */
    String groupOf(InetAddress address) {
        byte[] a = address.getAddress();
        for (Range r : ranges) {
            if (r.contains(a)) {
                return r.group();
            }
        }
        return EXTERNAL;
    }
}
