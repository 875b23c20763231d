package dev.sonde.agent.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.api.agent.AgentConfig;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What the local-mode ITs do to the host node: its pods, the compiled config, and what bpftool and reports say. */
final class LocalNode {

    static final String CONFIG_MAP = "sonde-agent-config";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalNode() {
    }

    /** Local-mode tests load eBPF programs and create cgroups: without root they fail, never skip. */
    static void requireRoot(Class<?> test) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError(test.getSimpleName()
                    + " loads eBPF programs and creates cgroups: run it as root (hack/test.sh does)");
        }
    }

    /** Closes what a test started, in order, skipping what it never got to; the first failure is rethrown. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** No kubelet confirms the end of pods on the host node: delete them at once so their namespace can go. */
    static void deletePodsNow(KubernetesClient client, String namespace) {
        if (client != null) {
            client.pods().inNamespace(namespace).withGracePeriod(0).delete();
        }
    }

    static void awaitReport(KubernetesClient client, TestNamespace ns, String node,
            Predicate<AgentReport> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        AgentReport last = null;
        while (System.nanoTime() < deadline) {
            last = client.resources(AgentReport.class).inNamespace(ns.name()).withName(node).get();
            if (last != null && condition.test(last)) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("timed out waiting for: " + what + "; last report: "
                + (last == null ? "none" : Serialization.asJson(last.getSpec())));
    }

    static Pod createPod(KubernetesClient client, TestNamespace ns, String node, String name, String app) {
        return client.pods().inNamespace(ns.name()).resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("app").withImage("registry.invalid/sonde/app:test").endContainer()
                .endSpec().build()).create();
    }

    static void writeConfig(KubernetesClient client, TestNamespace ns, AgentConfig config) {
        writeConfigJson(client, ns, config.toJson());
    }

    /** Writes the config document as given, e.g. with an entry only a newer operator would write. */
    static void writeConfigJson(KubernetesClient client, TestNamespace ns, String json) {
        client.configMaps().inNamespace(ns.name()).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(CONFIG_MAP).endMetadata()
                .addToData(AgentConfig.CONFIG_MAP_KEY, json)
                .build()).serverSideApply();
    }


    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs netload's client in a pod's cgroup: {@code conns} connects of one byte each; its own counts. */
    static Map<String, Integer> client(KubeletCgroups kubelet, Path cgroup, int port, int conns) throws Exception {
        Process process = kubelet.runIn(cgroup, "python3", netload(), "client", "--port", String.valueOf(port),
                "--conns", String.valueOf(conns), "--send", "1");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("netload client did not finish within 30 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        JsonNode result = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        Map<String, Integer> counts = new HashMap<>();
        result.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        return counts;
    }

    /** The port a netload server printed on its READY line. */
    static int readyPort(Process server) throws IOException {
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (line == null || !line.startsWith("READY ")) {
            throw new AssertionError("netload server did not print READY <port>: " + line);
        }
        return Integer.parseInt(line.substring(6).strip());
    }

    /** Starts the agent as a process, as on a node, with its log in target/. */
    static Process startAgent(Path kubeconfig, TestNamespace ns, String node, int metricsPort) throws IOException {
        Path log = Path.of("target", "agent-" + System.nanoTime() + ".log").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AgentMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("NODE_NAME", node);
        builder.environment().put("SONDE_NAMESPACE", ns.name());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().put("SONDE_METRICS_ADDRESS", "127.0.0.1:" + metricsPort);
        System.out.println("agent log: " + log);
        return builder.start();
    }

    static String netload() {
        return Path.of(System.getProperty("sonde.netload", "target/test-classes/it/netload.py")).toAbsolutePath()
                .toString();
    }
}
