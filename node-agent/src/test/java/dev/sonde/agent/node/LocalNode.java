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
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

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
        client.configMaps().inNamespace(ns.name()).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(CONFIG_MAP).endMetadata()
                .addToData(AgentConfig.CONFIG_MAP_KEY, config.toJson())
                .build()).serverSideApply();
    }

    /** Links of sonde programs, as bpftool sees them: ground truth from the kernel. */
    static Set<Integer> sondeLinks() throws Exception {
        Process prog = new ProcessBuilder("bpftool", "prog", "show", "-j").start();
        JsonNode progs = JSON.readTree(prog.getInputStream());
        Set<Integer> sondeProgs = StreamSupport.stream(progs.spliterator(), false)
                .filter(p -> p.path("name").asText().startsWith("sonde_"))
                .map(p -> p.get("id").asInt()).collect(Collectors.toSet());
        Process link = new ProcessBuilder("bpftool", "link", "show", "-j").start();
        JsonNode links = JSON.readTree(link.getInputStream());
        return StreamSupport.stream(links.spliterator(), false)
                .filter(l -> sondeProgs.contains(l.path("prog_id").asInt()))
                .map(l -> l.get("id").asInt()).collect(Collectors.toSet());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String netload() {
        return Path.of(System.getProperty("sonde.netload", "target/test-classes/it/netload.py")).toAbsolutePath()
                .toString();
    }
}
