package dev.sonde.e2e;

import static dev.sonde.e2e.RealNodeCluster.NODE;
import static dev.sonde.e2e.RealNodeCluster.writeTemp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.testsupport.Helm;
import dev.sonde.testsupport.MetricsScrapers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sonde deployed as a user deploys it, on a real kubelet node ({@link RealNodeCluster}): the images built by
 * {@code hack/images.sh} from the project's Dockerfiles, {@code helm install sonde charts/sonde} with those images
 * (DemoFlowIT installs with {@code kubectl apply -k config/overlays/local-images}, the other way in), the operator
 * Deployment writing the agent DaemonSet, the agent pod on the node.
 * Least privilege is read from the kernel (the agent process's effective capabilities), attachment from the node's
 * AgentReport once a NetworkMonitor selects a real pod, and RBAC from both logs. Metrics: both components'
 * /metrics answer only a token allowed to get them, over HTTPS.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SondeOnRealNodeIT {

    private static final RealNodeCluster CLUSTER = new RealNodeCluster("sonde-on-real-node-it");
    /** CAP_NET_ADMIN (12), CAP_PERFMON (38), CAP_BPF (39), as in linux/capability.h. */
    private static final long BPF_PERFMON_NET_ADMIN = (1L << 12) | (1L << 38) | (1L << 39);
    private static final Pattern HTTP_403 = Pattern.compile("(?<![\\d,.:])403(?![\\d,.:])");
    private static List<String> refs;

    @BeforeAll
    static void startTheNodeAndBuildTheImages() throws Exception {
        CLUSTER.up();
        RealNodeCluster.Result images = CLUSTER.script(TimeUnit.MINUTES.toSeconds(15), "hack/images.sh");
        assertThat(images.exit()).as("hack/images.sh:\n" + images.output()).isZero();
        System.out.println("hack/images.sh:\n" + images.output());
        refs = CLUSTER.script(10, "hack/images.sh", "refs").output().lines().toList();
    }

    @AfterAll
    static void stopTheNode() throws Exception {
        CLUSTER.down();
    }

    @Test
    @Order(1)
    void theImageBuildLeavesNoDaemonBehind() throws Exception {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            assertThat(all.map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains("/run/sonde-images")))
                    .as("hack/images.sh's dockerd and its containerd").isEmpty();
        }
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains("/run/sonde-images") || l.contains("/sonde/images/docker")))
                .as("its mounts (overlays, the nsfs of its network namespace)").isEmpty();
    }

    @Test
    @Order(2)
    void theOperatorDeploymentRunsTheAgentDaemonSetOnTheNode() throws Exception {
        // as docs/helm.md shows it: the chart, with the images hack/images.sh loaded into the node
        String operatorImage = refs.get(0);
        int tag = operatorImage.lastIndexOf(':');
        Helm.Result install = Helm.run(RealNodeCluster.ROOT,
                Map.of("KUBECONFIG", CLUSTER.state().resolve("admin.kubeconfig").toString()), 300,
                "install", "sonde", "charts/sonde", "--namespace", "sonde-system", "--create-namespace",
                "--set", "operator.image.repository=" + operatorImage.substring(0, tag),
                "--set", "operator.image.tag=" + operatorImage.substring(tag + 1),
                "--set", "agent.image=" + refs.get(1), "--wait", "--timeout", "180s");
        assertThat(install.exitCode()).as("helm install:\n" + install.stdout() + install.stderr()).isZero();
        System.out.println("helm install:\n" + install.stdout());
        assertThat(kubectl("get", "crd", "networkmonitors.sonde.dev", "-o", "name"))
                .as("the chart's crds/").isEqualTo("customresourcedefinition.apiextensions.k8s.io/networkmonitors.sonde.dev");
        kubectl("-n", "sonde-system", "wait", "--for=condition=Available", "deployment/sonde-operator",
                "--timeout=180s");
        assertThat(kubectl("-n", "sonde-system", "get", "pods", "-l", "app.kubernetes.io/name=sonde-operator", "-o",
                "jsonpath={.items[0].spec.nodeName} {.items[0].spec.containers[0].image}"))
                .as("the operator, from the overlay's image, on the real node").isEqualTo(NODE + " " + refs.get(0));

        String agentPod = waitForAgentPod();
        kubectl("-n", "sonde-system", "wait", "--for=condition=Ready", "pod/" + agentPod, "--timeout=120s");
        assertThat(kubectl("-n", "sonde-system", "get", "pod", agentPod, "-o",
                "jsonpath={.spec.containers[0].image} {.spec.containers[0].imagePullPolicy}"))
                .as("the agent image the operator writes (SONDE_OPERATOR_AGENT_IMAGE), never pulled")
                .isEqualTo(refs.get(1) + " IfNotPresent");
        // what the DaemonSet does with the other nodes: printed, the report says what it means
        System.out.println("agent pods:\n" + kubectl("-n", "sonde-system", "get", "pods", "-l",
                "app.kubernetes.io/name=sonde-agent", "-o", "wide"));
    }

    @Test
    @Order(3)
    void theAgentRunsWithExactlyBpfPerfmonAndNetAdmin() throws Exception {
        long pid = agentPid();
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        long effective = Long.parseUnsignedLong(field(status, "CapEff"), 16);
        assertThat(Long.toHexString(effective)).as("CapEff of the agent process %d", pid)
                .isEqualTo(Long.toHexString(BPF_PERFMON_NET_ADMIN));
        assertThat(Long.parseUnsignedLong(field(status, "CapBnd"), 16)).as("CapBnd").isEqualTo(BPF_PERFMON_NET_ADMIN);
        System.out.println("agent pid " + pid + ": CapEff " + field(status, "CapEff") + ", VmRSS " + field(status, "VmRSS"));
    }

    @Test
    @Order(4)
    void probesAttachForASelectedPodOnTheNode() throws Exception {
        kubectl("create", "namespace", "probed");
        kubectl("apply", "--server-side", "-f", writeTemp("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: probed, labels: {app: web}}
                spec:
                  nodeSelector: {kubernetes.io/hostname: %s}
                  containers:
                  - name: web
                    image: localhost/busybox:local
                    imagePullPolicy: Never
                    command: [sh, -c, "while true; do nc -l -p 8080 -e echo hello; done"]
                ---
                apiVersion: sonde.dev/v1alpha1
                kind: ProbeProfile
                metadata: {name: real-node}
                spec:
                  interval: 5s
                  probes:
                  - name: tcpConnections
                  - name: tcpRetransmits
                  - name: traffic
                ---
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata: {name: web, namespace: probed}
                spec:
                  profile: real-node
                  podSelector: {matchLabels: {app: web}}
                """.formatted(NODE)).toString());
        kubectl("wait", "--for=condition=Ready", "pod/web", "-n", "probed", "--timeout=90s");

        String probes = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            probes = kubectlOrEmpty("-n", "sonde-system", "get", "agentreport", NODE, "-o",
                    "jsonpath={range .spec.probes[*]}{.name}={.state} {end}");
            if (Stream.of("tcpConnections=Attached", "tcpRetransmits=Attached", "traffic=Attached")
                    .allMatch(probes::contains)) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(probes).as("the node's AgentReport").contains("tcpConnections=Attached", "tcpRetransmits=Attached",
                "traffic=Attached");
        kubectl("wait", "--for=condition=Ready", "networkmonitor/web", "-n", "probed", "--timeout=60s");
        System.out.println("networkmonitor probed/web:\n" + kubectl("get", "networkmonitor", "web", "-n", "probed",
                "-o", "jsonpath={.status.pods} {.status.nodes} {.status.probes}"));
    }

    @Test
    @Order(5)
    void neitherLogHasAForbiddenRequest() throws Exception {
        String operator = kubectl("-n", "sonde-system", "logs", "deployment/sonde-operator");
        String agent = kubectl("-n", "sonde-system", "logs", "pod/" + waitForAgentPod());
        assertThat(operator).as("operator log").contains("started").doesNotContain("Forbidden!");
        assertThat(HTTP_403.matcher(operator).results().map(m -> around(operator, m.start()))).as("operator log").isEmpty();
        assertThat(agent).as("agent log").contains("agent started").doesNotContain("Forbidden!");
        assertThat(HTTP_403.matcher(agent).results().map(m -> around(agent, m.start()))).as("agent log").isEmpty();
    }

    /**
     * The agent's and the operator's /metrics, reached at their pods' addresses as a Prometheus reaches them: HTTPS
     * only, 401 without a token or with a forged one, 403 for a ServiceAccount without sonde-metrics-reader, 200 with
     * the Prometheus text for one bound to it (as docs/metrics.md binds it) — each answer the components' own
     * TokenReview and SubjectAccessReview on this API server, with the RBAC the chart gave them.
     */
    @Test
    @Order(6)
    void metricsAnswerOnlyAServiceAccountAllowedToGetThem() throws Exception {
        kubectl("create", "namespace", "scrapers");
        kubectl("-n", "scrapers", "create", "serviceaccount", "prometheus");
        kubectl("-n", "scrapers", "create", "serviceaccount", "nobody");
        kubectl("create", "clusterrolebinding", "scrapers-prometheus", "--clusterrole=sonde-metrics-reader",
                "--serviceaccount=scrapers:prometheus");
        String reader = kubectl("-n", "scrapers", "create", "token", "prometheus").strip();
        String nobody = kubectl("-n", "scrapers", "create", "token", "nobody").strip();
        String agentPod = waitForAgentPod();
        String agentIp = kubectl("-n", "sonde-system", "get", "pod", agentPod, "-o", "jsonpath={.status.podIP}");
        String operatorIp = kubectl("-n", "sonde-system", "get", "pods", "-l", "app.kubernetes.io/name=sonde-operator",
                "-o", "jsonpath={.items[0].status.podIP}");
        Map<URI, String> endpoints = Map.of(
                URI.create("https://" + agentIp + ":9466/metrics"), "# TYPE sonde_agent_",
                URI.create("https://" + operatorIp + ":8443/metrics"), "# TYPE sonde_operator_reconciles_total counter");
        for (Map.Entry<URI, String> endpoint : endpoints.entrySet()) {
            URI uri = endpoint.getKey();
            HttpResponse<String> none = MetricsScrapers.get(uri, null);
            assertThat(none.statusCode()).as("%s without a token: %s", uri, none.body()).isEqualTo(401);
            assertThat(none.body()).doesNotContain("# TYPE");
            assertThat(MetricsScrapers.get(uri, "forged." + reader.substring(7)).statusCode())
                    .as("%s with a forged token", uri).isEqualTo(401);
            HttpResponse<String> forbidden = MetricsScrapers.get(uri, nobody);
            assertThat(forbidden.statusCode()).as("%s for scrapers:nobody: %s", uri, forbidden.body()).isEqualTo(403);
            assertThat(forbidden.body()).contains("system:serviceaccount:scrapers:nobody").doesNotContain("# TYPE");
            HttpResponse<String> allowed = MetricsScrapers.get(uri, reader);
            assertThat(allowed.statusCode()).as("%s for scrapers:prometheus: %s", uri, allowed.body()).isEqualTo(200);
            assertThat(allowed.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
            assertThat(allowed.body()).contains(endpoint.getValue());
            // no plain HTTP next to it
            URI plain = URI.create("http://" + uri.getAuthority() + uri.getPath());
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString())).as("plain HTTP to %s", plain)
                        .isInstanceOf(java.io.IOException.class);
            }
            System.out.println(uri + ": 401 without a token, 403 for scrapers:nobody, 200 for scrapers:prometheus ("
                    + allowed.body().lines().count() + " lines)");
        }
        // the kubelet's probe of /healthz is HTTPS without a token: the agent was never restarted for failing it
        assertThat(kubectl("-n", "sonde-system", "get", "pod", agentPod, "-o",
                "jsonpath={.spec.containers[0].livenessProbe.httpGet.scheme} {.status.containerStatuses[0].restartCount}"))
                .isEqualTo("HTTPS 0");
        kubectl("delete", "clusterrolebinding", "scrapers-prometheus");
        kubectl("delete", "namespace", "scrapers", "--wait=false");
    }

    /** The DaemonSet's pod on the real node (the other nodes of this cluster get one too; see the report). */
    private static String waitForAgentPod() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String name = kubectlOrEmpty("-n", "sonde-system", "get", "pods", "-l", "app.kubernetes.io/name=sonde-agent",
                    "--field-selector", "spec.nodeName=" + NODE, "-o", "jsonpath={.items[0].metadata.name}");
            if (!name.isEmpty()) {
                return name;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no agent pod on " + NODE + ":\n" + kubectlOrEmpty("-n", "sonde-system", "get", "ds,pods",
                "-o", "wide"));
    }

    /** The agent's process on this host: the java process in the agent container's cgroup. */
    private static long agentPid() throws Exception {
        String containerId = kubectl("-n", "sonde-system", "get", "pod", waitForAgentPod(), "-o",
                "jsonpath={.status.containerStatuses[0].containerID}").replaceFirst("^containerd://", "");
        assertThat(containerId).isNotEmpty();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            List<Long> pids = all.filter(p -> p.info().commandLine().orElse("").contains("sonde-node-agent.jar"))
                    .map(ProcessHandle::pid)
                    .filter(pid -> read(Path.of("/proc", pid.toString(), "cgroup")).orElse("").contains(containerId))
                    .toList();
            assertThat(pids).as("the agent java process in container " + containerId).hasSize(1);
            return pids.getFirst();
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in /proc/<pid>/status"));
    }

    private static String around(String text, int at) {
        return text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 120));
    }

    private static String kubectl(String... args) throws Exception {
        return CLUSTER.kubectl(args);
    }

    private static String kubectlOrEmpty(String... args) throws Exception {
        RealNodeCluster.Result r = CLUSTER.kubectlResult(args);
        return r.exit() == 0 ? r.output().strip() : "";
    }
}
