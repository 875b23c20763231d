package dev.sonde.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A control plane of a test's own with this host as a real kubelet node ({@code hack/cluster.sh up --nodes 0
 * --real-node}), in its own directory and on ports apart from the suite's cluster. The kubelet's and kube-proxy's
 * ports are fixed, so only one of these runs on a machine at a time: the tests that use it run one after another.
 */
final class RealNodeCluster {

    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final String NODE = "sonde-it-node";

    private final Path state;
    private final Path log;
    private boolean up;

    /** {@code name}: the cluster's directory under the temporary directory, and its log under target/. */
    RealNodeCluster(String name) {
        this.state = Path.of(System.getProperty("java.io.tmpdir"), name);
        this.log = Path.of("target", name + ".log");
    }

    Path state() {
        return state;
    }

    void up() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("a real node runs containers and configures networking: run as root (hack/test.sh)");
        }
        up = true;
        Result result = script(TimeUnit.MINUTES.toSeconds(15), "hack/cluster.sh", "up", "--nodes", "0", "--real-node");
        assertThat(result.exit()).as("hack/cluster.sh up --real-node:\n" + result.output()).isZero();
    }

    /** Stops the cluster and its node; a no-op once stopped. */
    Result down() throws Exception {
        if (!up) {
            return new Result(0, "not running");
        }
        up = false;
        return script(300, "hack/cluster.sh", "down");
    }

    /**
     * A token of the ServiceAccount monitoring/prometheus, bound to the ClusterRole sonde-metrics-reader as
     * docs/metrics.md binds a Prometheus (hack/lib/common.sh write_metrics_scrape_token does the same for the demo):
     * the agents' and the operator's /metrics answer only such a token.
     */
    String metricsScrapeToken() throws Exception {
        kubectlResult("create", "namespace", "monitoring"); // AlreadyExists is fine: these are idempotent steps
        kubectlResult("-n", "monitoring", "create", "serviceaccount", "prometheus");
        kubectlResult("create", "clusterrolebinding", "prometheus-sonde-metrics", "--clusterrole=sonde-metrics-reader",
                "--serviceaccount=monitoring:prometheus");
        return kubectl("-n", "monitoring", "create", "token", "prometheus", "--duration=2h");
    }

    /** kubectl against this cluster; fails the test when it fails. */
    String kubectl(String... args) throws Exception {
        Result r = kubectlResult(args);
        assertThat(r.exit()).as(String.join(" ", args) + ":\n" + r.output()).isZero();
        return r.output().strip();
    }

    Result kubectlResult(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Files.readString(state.resolve("bin-dir")).strip() + "/kubectl",
                "--kubeconfig", state.resolve("admin.kubeconfig").toString()));
        command.addAll(List.of(args));
        return run(command, Map.of(), 120);
    }

    /** Runs a hack/ script against this cluster's directory and ports; its output goes to the cluster's log too. */
    Result script(long timeoutSeconds, String... args) throws Exception {
        return script(timeoutSeconds, Map.of(), args);
    }

    /** {@link #script(long, String...)} with more environment variables for the script. */
    Result script(long timeoutSeconds, Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("SONDE_CLUSTER_DIR", state.toString());
        env.put("SONDE_APISERVER_PORT", "36443");
        env.put("SONDE_ETCD_PORT", "32379");
        env.put("SONDE_ETCD_PEER_PORT", "32380");
        env.put("SONDE_KCM_PORT", "40257");
        env.put("SONDE_SCHEDULER_PORT", "40259");
        env.put("SONDE_KWOK_PORT", "40247");
        env.put("SONDE_HOST_NODE", "sonde-it-fakehost");
        env.put("SONDE_REAL_NODE", NODE);
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(List.of(args));
        Result r = run(command, env, timeoutSeconds);
        Files.writeString(log, String.join(" ", args) + "\n" + r.output(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return r;
    }

    static String sh(String script) throws Exception {
        return run(List.of("bash", "-c", script), Map.of(), 30).output().strip();
    }

    /** {@link #sh} that must succeed. */
    static String shOk(String script) throws Exception {
        Result r = run(List.of("bash", "-c", script), Map.of(), 30);
        assertThat(r.exit()).as(script + ":\n" + r.output()).isZero();
        return r.output().strip();
    }

    static Path writeTemp(String content) throws IOException {
        Path file = Files.createTempFile("real-node-it", ".yaml");
        Files.writeString(file, content);
        file.toFile().deleteOnExit();
        return file;
    }

    private static Result run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("real-node-it", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            builder.environment().remove("KUBECONFIG"); // never the suite's cluster
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    record Result(int exit, String output) {
    }
}
