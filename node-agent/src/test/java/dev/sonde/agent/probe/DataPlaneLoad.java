package dev.sonde.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The loads of {@link DataPlaneBenchmark}: a client in one network namespace, its server in the
 * other, both in the same cgroup. Each run reports the load's own view of what it did.
 */
enum DataPlaneLoad {
    BULK("bulk TCP (iperf3, 1 stream)"),
    RR("request/response, 1 persistent connection, 64 B each way"),
    CHURN("connection churn, a new connection per 64 B request/response"),
    /** Churn closed with an RST (SO_LINGER 0): for resets in the accuracy section only. */
    CHURN_ABORT("connection churn, each closed with an RST");

    static final String SERVER = "10.77.50.2";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String title;

    DataPlaneLoad(String title) {
        this.title = title;
    }

    /**
     * @param rate bits/s received for bulk; requests (connections for churn) per second otherwise
     * @param p99Ns request latency; NaN for bulk
     * @param bytesSent bytes the applications wrote, both ends together
     * @param bytesReceived bytes the applications read, both ends together
     * @param connections connections the client opened; -1 where the tool does not count them (iperf3)
     * @param aborts connections the client closed with an RST
     */
    record Result(double rate, double p99Ns, long bytesSent, long bytesReceived, long connections, long aborts) {
    }

    Result run(KernelLab lab, Path cgroup, String clientNs, String serverNs, int seconds) {
        return this == BULK ? iperf3(lab, cgroup, clientNs, serverNs, seconds) : rrload(lab, cgroup, clientNs, serverNs, seconds);
    }

    private static Result iperf3(KernelLab lab, Path cgroup, String clientNs, String serverNs, int seconds) {
        KernelLab.Proc server = lab.inCgroup(cgroup, serverNs, "iperf3", "-s", "-1", "--forceflush", "-B", SERVER, "-p", "5201");
        while (!server.nextLine(Duration.ofSeconds(20)).contains("listening")) {
            // banner lines before the one that says the port is open
        }
        String out = lab.inCgroup(cgroup, clientNs, "iperf3", "-c", SERVER, "-p", "5201", "-t", String.valueOf(seconds), "-J")
                .awaitOutput(Duration.ofSeconds(seconds + 60L));
        server.awaitOutput(Duration.ofSeconds(30));
        try {
            JsonNode end = JSON.readTree(out).path("end");
            JsonNode sent = end.path("sum_sent");
            JsonNode received = end.path("sum_received");
            return new Result(received.path("bits_per_second").asDouble(), Double.NaN, sent.path("bytes").asLong(),
                    received.path("bytes").asLong(), -1, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("iperf3 output: " + out, e);
        }
    }

    private Result rrload(KernelLab lab, Path cgroup, String clientNs, String serverNs, int seconds) {
        String mode = this == RR ? "rr" : "churn";
        KernelLab.Proc server = lab.rrload(cgroup, serverNs, "server", "--mode", mode, "--host", SERVER);
        int port = server.awaitReady();
        List<String> args = new ArrayList<>(List.of("client", "--mode", mode, "--host", SERVER, "--port", String.valueOf(port),
                "--seconds", String.valueOf(seconds)));
        if (this == CHURN_ABORT) {
            args.add("--abort");
        }
        Map<String, Long> r = lab.rrload(cgroup, clientNs, args.toArray(String[]::new)).awaitResult(Duration.ofSeconds(seconds + 60L));
        server.process.destroy();
        try {
            server.process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long requests = r.get("requests");
        long bytes = r.get("written") + r.get("read"); // the server reads what the client wrote and the other way round
        return new Result(requests * 1e9 / r.get("elapsed_ns"), r.get("p99_ns"), bytes, bytes, r.get("conns"), r.get("aborts"));
    }
}
