package dev.sonde.testsupport;

import java.util.HashMap;
import java.util.Map;

/** The kernel's own counters: {@code /proc/net/snmp} of one network namespace, the ground truth tests compare to. */
public final class ProcNetSnmp {

    private ProcNetSnmp() {
    }

    /** The {@code Tcp:} counters (ActiveOpens, PassiveOpens, RetransSegs, OutRsts, ...) of a /proc/net/snmp text. */
    public static Map<String, Long> tcp(String snmp) {
        return protocol(snmp, "Tcp");
    }

    /** The {@code Udp:} counters (InDatagrams, OutDatagrams, ...) of a /proc/net/snmp text. */
    public static Map<String, Long> udp(String snmp) {
        return protocol(snmp, "Udp");
    }

    /** One protocol's counters: its header line names them, the next line holds the values. */
    private static Map<String, Long> protocol(String snmp, String protocol) {
        String prefix = protocol + ":";
        String[] header = null;
        Map<String, Long> out = new HashMap<>();
        for (String line : snmp.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String[] f = line.substring(prefix.length()).trim().split("\\s+");
            if (header == null) {
                header = f;
            } else {
                for (int i = 0; i < f.length; i++) {
                    out.put(header[i], Long.parseLong(f[i]));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no " + prefix + " counters in /proc/net/snmp text:\n" + snmp);
        }
        return out;
    }
}
