package dev.sonde.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lowest port the kernel picks for a client socket (net.ipv4.ip_local_port_range): the flows probe takes a UDP
 * socket bound at or above it for a client. Read in the agent's network namespace (the node's, as the agent runs with
 * hostNetwork); pods with their own range are judged by the node's.
 */
final class EphemeralPorts {
    static final int DEFAULT_LOWEST = 32768;
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private EphemeralPorts() {
    }

    static int lowest() {
        try {
            return parseLowest(Files.readString(RANGE));
        } catch (IOException | RuntimeException e) {
            return DEFAULT_LOWEST;
        }
    }

    static int parseLowest(String range) {
        String[] parts = range.strip().split("\\s+");
        int low = Integer.parseInt(parts[0]);
        if (low < 1 || low > 65535) {
            throw new IllegalArgumentException("ip_local_port_range starts at " + low);
        }
        return low;
    }
}
