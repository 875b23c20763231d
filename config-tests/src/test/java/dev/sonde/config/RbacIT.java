package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config/rbac against the real API server: what the operator's and the agent's ServiceAccounts can
 * and can't do, asked both as real requests (impersonation, and a real bound pod token for the
 * agent) and through {@code kubectl auth can-i}.
 */
@LocalControlPlane
class RbacIT {

    private static final ResourceDefinitionContext NETWORK_MONITORS = new ResourceDefinitionContext.Builder()
            .withGroup("sonde.dev").withVersion("v1alpha1").withKind("NetworkMonitor").withPlural("networkmonitors")
            .withNamespaced(true).build();
    private static final ResourceDefinitionContext AGENT_REPORTS = new ResourceDefinitionContext.Builder()
            .withGroup("sonde.dev").withVersion("v1alpha1").withKind("AgentReport").withPlural("agentreports")
            .withNamespaced(true).build();
    private static final String HEADERS_COPY = "sonde-otlp-headers";
    private static final String SUFFIX = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);

    /** Created here only when missing, and then removed again, so a running operator's copy is left alone. */
    private static boolean createdAgentConfig;
    private static final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void install(ControlPlane cluster, KubernetesClient admin, TestNamespace ns) {
        cluster.installCrds();
        Sonde.installRbac(cluster);
        if (admin.configMaps().inNamespace(Sonde.NAMESPACE).withName(Sonde.AGENT_CONFIG).get() == null) {
            admin.configMaps().inNamespace(Sonde.NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(Sonde.AGENT_CONFIG).endMetadata()
                    .addToData("agent-config.json", "{}").build()).create();
            createdAgentConfig = true;
        }
        admin.secrets().inNamespace(ns.name()).resource(new SecretBuilder()
                .withNewMetadata().withName("otlp-headers").endMetadata()
                .addToStringData("Authorization", "Bearer secret").build()).create();
        admin.genericKubernetesResources(NETWORK_MONITORS).inNamespace(ns.name()).resource(networkMonitor("checkout")).create();
    }

    @AfterAll
    static void cleanUp(KubernetesClient admin) {
        cleanups.forEach(Runnable::run);
        if (createdAgentConfig) {
            admin.configMaps().inNamespace(Sonde.NAMESPACE).withName(Sonde.AGENT_CONFIG).delete();
        }
    }

    // ---- kubectl auth can-i: the API server's own answer, one line per right ----

    /** "who answer verb resource[:subresource] namespace": namespace * means all, - means cluster scope. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "agent yes get configmaps/sonde-agent-config sonde-system",
        "agent no get configmaps/other-config sonde-system",
        "agent no list configmaps sonde-system",
        "agent yes create agentreports.sonde.dev sonde-system",
        "agent yes patch agentreports.sonde.dev sonde-system",
        "agent yes update agentreports.sonde.dev sonde-system",
        "agent no delete agentreports.sonde.dev sonde-system",
        "agent no create agentreports.sonde.dev OTHER",
        "agent no patch agentreports.sonde.dev OTHER",
        "agent no patch networkmonitors.sonde.dev:status OTHER",
        "agent no update networkmonitors.sonde.dev:status sonde-system",
        "agent no list networkmonitors.sonde.dev *",
        "agent no get secrets sonde-system",
        "agent yes get secrets/sonde-otlp-headers sonde-system",
        "agent yes watch secrets/sonde-otlp-headers sonde-system",
        "agent no update secrets/sonde-otlp-headers sonde-system",
        "agent no get secrets/sonde-otlp-headers OTHER",
        "agent no get secrets/otlp-headers OTHER",
        "agent no list secrets sonde-system",
        "agent no list secrets *",
        "agent no delete pods OTHER",
        "agent no create pods sonde-system",
        "agent yes list pods *",
        "agent yes watch pods *",
        "agent yes get nodes -",
        "agent no patch nodes -",
        "agent yes create events sonde-system",
        "agent yes create events.events.k8s.io sonde-system",
        "agent no create events OTHER",
        "agent yes create tokenreviews.authentication.k8s.io -",
        "agent yes create subjectaccessreviews.authorization.k8s.io -",
        "operator yes patch networkmonitors.sonde.dev:status OTHER",
        "operator yes update networkmonitors.sonde.dev:status OTHER",
        "operator yes patch probeprofiles.sonde.dev:status -",
        "operator no patch networkmonitors.sonde.dev OTHER",
        "operator no update probeprofiles.sonde.dev -",
        "operator no delete networkmonitors.sonde.dev OTHER",
        "operator yes watch networkmonitors.sonde.dev *",
        "operator yes list probeprofiles.sonde.dev -",
        "operator yes list agentreports.sonde.dev sonde-system",
        "operator no create agentreports.sonde.dev sonde-system",
        "operator yes create daemonsets.apps sonde-system",
        "operator yes delete daemonsets.apps sonde-system",
        "operator no create daemonsets.apps OTHER",
        "operator yes create configmaps sonde-system",
        "operator no create configmaps OTHER",
        "operator yes create leases.coordination.k8s.io sonde-system",
        "operator no create leases.coordination.k8s.io OTHER",
        "operator yes create events OTHER",
        "operator yes list namespaces -",
        "operator yes watch pods *",
        "operator no create pods sonde-system",
        "operator yes list nodes -",
        "operator yes get secrets/otlp-headers OTHER",
        "operator no list secrets OTHER",
        "operator no watch secrets OTHER",
        "operator no list secrets sonde-system",
        "operator no list secrets *",
        "operator no update secrets/otlp-headers OTHER",
        "operator no delete secrets/otlp-headers OTHER",
        "operator no create secrets OTHER",
        "operator yes create secrets sonde-system",
        "operator yes patch secrets/sonde-otlp-headers sonde-system",
        "operator no patch secrets/other sonde-system",
        "operator no delete secrets/sonde-otlp-headers sonde-system",
        "operator no create serviceaccounts sonde-system",
        "operator no create clusterrolebindings.rbac.authorization.k8s.io -",
        "operator yes get customresourcedefinitions.apiextensions.k8s.io/networkmonitors.sonde.dev -",
        "operator no get customresourcedefinitions.apiextensions.k8s.io/other.example.com -",
        "operator no list customresourcedefinitions.apiextensions.k8s.io -",
        "operator yes create tokenreviews.authentication.k8s.io -",
        "operator yes create subjectaccessreviews.authorization.k8s.io -",
        "operator no create localsubjectaccessreviews.authorization.k8s.io OTHER",
    })
    void canI(String line, ControlPlane cluster, TestNamespace ns) {
        String[] f = line.split(" ");
        String account = f[0].equals("agent") ? Sonde.AGENT : Sonde.OPERATOR;
        List<String> args = new ArrayList<>(List.of("auth", "can-i", "--as=" + Sonde.serviceAccount(account), f[2]));
        String[] resource = f[3].split(":");
        args.add(resource[0]);
        if (resource.length > 1) {
            args.add("--subresource=" + resource[1]);
        }
        switch (f[4]) {
            case "*" -> args.add("--all-namespaces");
            case "-" -> { }
            case "OTHER" -> args.add("--namespace=" + ns.name());
            default -> args.add("--namespace=" + f[4]);
        }
        KubectlResult result = cluster.kubectl(args.toArray(String[]::new));
        assertThat(result.stdout().strip()).as("kubectl %s\n%s", String.join(" ", args), result.stderr()).isEqualTo(f[1]);
    }

    // ---- the agent, with a real bound pod token ----

    @Test
    void agentWithBoundPodTokenWritesOnlyTheReportOfItsOwnNode(ControlPlane cluster, KubernetesClient admin, TestNamespace ns) {
        String node = "rbac-it-node-" + SUFFIX;
        String otherNode = node + "-other";
        String pod = "rbac-it-agent-" + SUFFIX;
        // A Node object no kwok stage manages, so nothing but this test touches it.
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).create();
        cleanups.add(() -> admin.nodes().withName(node).delete());
        admin.pods().inNamespace(Sonde.NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(pod).endMetadata()
                .withNewSpec().withServiceAccountName(Sonde.AGENT).withNodeName(node)
                .addNewContainer().withName("agent").withImage("registry.invalid/sonde-agent").endContainer().endSpec()
                .build()).create();
        cleanups.add(() -> admin.pods().inNamespace(Sonde.NAMESPACE).withName(pod).withGracePeriod(0).delete());
        cleanups.add(() -> admin.genericKubernetesResources(AGENT_REPORTS).inNamespace(Sonde.NAMESPACE).withName(node).delete());

        // The same kind of token the kubelet mounts into the agent's pod.
        String token = cluster.kubectl("create", "token", Sonde.AGENT, "--namespace=" + Sonde.NAMESPACE,
                "--bound-object-kind=Pod", "--bound-object-name=" + pod, "--duration=10m").orThrow().strip();
        try (KubernetesClient agent = clientWithToken(admin, token)) {
            // Without the admin's client certificate, so the API server authenticates the token.
            String whoami = cluster.kubectl("auth", "whoami", "--kubeconfig=/dev/null", "--token=" + token,
                    "--server=" + admin.getConfiguration().getMasterUrl(),
                    "--certificate-authority=" + admin.getConfiguration().getCaCertFile(),
                    "-o", "jsonpath={.status.userInfo.extra}").orThrow();
            assertThat(whoami).as("user extra of a bound pod token").contains("authentication.kubernetes.io/node-name").contains(node);

            agent.genericKubernetesResources(AGENT_REPORTS).inNamespace(Sonde.NAMESPACE)
                    .resource(agentReport(node)).fieldManager("sonde-agent").forceConflicts().serverSideApply();
            assertThat(cluster.kubectl("get", "agentreports.sonde.dev", node, "-n", Sonde.NAMESPACE,
                    "-o", "jsonpath={.spec.nodeName}").orThrow()).isEqualTo(node);

            assertThatThrownBy(() -> agent.genericKubernetesResources(AGENT_REPORTS).inNamespace(Sonde.NAMESPACE)
                    .resource(agentReport(otherNode)).fieldManager("sonde-agent").forceConflicts().serverSideApply())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("may write only the AgentReport named " + node);
                    });
            assertForbidden(() -> agent.genericKubernetesResources(AGENT_REPORTS).inNamespace(ns.name())
                    .resource(agentReport(node)).fieldManager("sonde-agent").forceConflicts().serverSideApply());
            assertForbidden(() -> agent.genericKubernetesResources(AGENT_REPORTS).inNamespace(Sonde.NAMESPACE)
                    .withName(node).delete());
        }
    }

    /** Impersonation carries no node name, so the admission policy refuses it even though RBAC allows. */
    @Test
    void agentWithoutNodeBoundTokenCannotWriteReports(ControlPlane cluster) {
        try (KubernetesClient agent = cluster.impersonating(Sonde.NAMESPACE, Sonde.AGENT)) {
            assertThatThrownBy(() -> agent.genericKubernetesResources(AGENT_REPORTS).inNamespace(Sonde.NAMESPACE)
                    .resource(agentReport("rbac-it-node-" + SUFFIX)).fieldManager("sonde-agent").serverSideApply())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("sonde-agentreport-own-node");
                    });
        }
    }

    @Test
    void agentReadsAndWatchesOnlyTheCompiledConfig(ControlPlane cluster) throws Exception {
        try (KubernetesClient agent = cluster.impersonating(Sonde.NAMESPACE, Sonde.AGENT)) {
            var configMaps = agent.configMaps().inNamespace(Sonde.NAMESPACE);
            ConfigMap config = configMaps.withName(Sonde.AGENT_CONFIG).get();
            assertThat(config).isNotNull();
            assertThat(config.getData()).isNotEmpty();
            // list and watch pass RBAC's resourceNames only with a metadata.name field selector.
            assertThat(configMaps.withField("metadata.name", Sonde.AGENT_CONFIG).list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactly(Sonde.AGENT_CONFIG);
            try (Watch watch = configMaps.withName(Sonde.AGENT_CONFIG).watch(new IgnoringWatcher<>())) {
                assertThat(watch).isNotNull();
            }
            assertForbidden(() -> configMaps.list());
            assertForbidden(() -> configMaps.withName("kube-root-ca.crt").get());
        }
    }

    @Test
    void agentCannotWriteNetworkMonitorStatus(ControlPlane cluster, TestNamespace ns) {
        try (KubernetesClient agent = cluster.impersonating(Sonde.NAMESPACE, Sonde.AGENT)) {
            GenericKubernetesResource withStatus = networkMonitor("checkout");
            withStatus.setAdditionalProperty("status", Map.of("health", "Healthy"));
            assertForbidden(() -> agent.genericKubernetesResources(NETWORK_MONITORS).inNamespace(ns.name())
                    .resource(withStatus).patchStatus());
        }
        assertThat(cluster.kubectl("get", "networkmonitors.sonde.dev", "checkout", "-n", ns.name(),
                "-o", "jsonpath={.status.health}").orThrow()).isEmpty();
    }

    @Test
    void agentCannotReadSecretsNorDeletePods(ControlPlane cluster, KubernetesClient admin, TestNamespace ns) {
        admin.pods().inNamespace(ns.name()).resource(new PodBuilder().withNewMetadata().withName("victim").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.invalid/none").endContainer().endSpec()
                .build()).create();
        try (KubernetesClient agent = cluster.impersonating(Sonde.NAMESPACE, Sonde.AGENT)) {
            assertForbidden(() -> agent.secrets().inNamespace(ns.name()).withName("otlp-headers").get());
            assertForbidden(() -> agent.secrets().inNamespace(Sonde.NAMESPACE).list());
            assertForbidden(() -> agent.secrets().inAnyNamespace().list());
            assertThat(agent.pods().inNamespace(ns.name()).withName("victim").get()).isNotNull();
            assertForbidden(() -> agent.pods().inNamespace(ns.name()).withName("victim").delete());
        }
        assertThat(cluster.kubectl("get", "pod", "victim", "-n", ns.name(), "-o", "name").orThrow().strip())
                .isEqualTo("pod/victim");
    }

    // ---- the operator, through impersonation ----

    @Test
    void operatorWritesNetworkMonitorStatusButNotSpec(ControlPlane cluster, TestNamespace ns) {
        try (KubernetesClient operator = cluster.impersonating(Sonde.NAMESPACE, Sonde.OPERATOR)) {
            var monitors = operator.genericKubernetesResources(NETWORK_MONITORS).inNamespace(ns.name());
            GenericKubernetesResource current = monitors.withName("checkout").get();
            current.setAdditionalProperty("status", Map.of("health", "Degraded", "observedGeneration",
                    current.getMetadata().getGeneration()));
            monitors.resource(current).patchStatus();

            GenericKubernetesResource changedSpec = monitors.withName("checkout").get();
            changedSpec.<Map<String, Object>>get("spec").put("profile", "other");
            assertForbidden(() -> monitors.resource(changedSpec).update());
            assertForbidden(() -> monitors.withName("checkout").delete());
        }
        assertThat(cluster.kubectl("get", "networkmonitors.sonde.dev", "checkout", "-n", ns.name(),
                "-o", "jsonpath={.spec.profile} {.status.health}").orThrow()).isEqualTo("standard Degraded");
    }

    @Test
    void operatorManagesTheAgentDaemonSetAndConfigOnlyInSondeSystem(ControlPlane cluster, TestNamespace ns) {
        String name = "rbac-it-" + SUFFIX;
        try (KubernetesClient operator = cluster.impersonating(Sonde.NAMESPACE, Sonde.OPERATOR)) {
            DaemonSet daemonSet = daemonSet(name);
            ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                    .addToData("agent-config.json", "{}").build();

            operator.apps().daemonSets().inNamespace(Sonde.NAMESPACE).resource(daemonSet).create();
            operator.configMaps().inNamespace(Sonde.NAMESPACE).resource(configMap).create();
            assertThat(cluster.kubectl("get", "daemonset/" + name, "configmap/" + name, "-n", Sonde.NAMESPACE,
                    "-o", "name").orThrow().lines()).containsExactly("daemonset.apps/" + name, "configmap/" + name);
            operator.apps().daemonSets().inNamespace(Sonde.NAMESPACE).withName(name).delete();
            operator.configMaps().inNamespace(Sonde.NAMESPACE).withName(name).delete();

            assertForbidden(() -> operator.apps().daemonSets().inNamespace(ns.name()).resource(daemonSet(name)).create());
            assertForbidden(() -> operator.configMaps().inNamespace(ns.name()).resource(configMap).create());
        }
    }

    /**
     * headersSecretRef: the operator gets a named Secret (in any namespace; the reference it resolves carries no
     * namespace, so it asks only in the monitor's own), but can never list or watch Secrets, so it sees none that
     * nobody named.
     */
    @Test
    void operatorGetsNamedSecretsButListsAndWatchesNone(ControlPlane cluster, TestNamespace ns) {
        try (KubernetesClient operator = cluster.impersonating(Sonde.NAMESPACE, Sonde.OPERATOR)) {
            assertThat(operator.secrets().inNamespace(ns.name()).withName("otlp-headers").get().getData())
                    .containsKey("Authorization");
            assertForbidden(() -> operator.secrets().inNamespace(ns.name()).list());
            assertForbidden(() -> operator.secrets().inNamespace(Sonde.NAMESPACE).list());
            assertForbidden(() -> operator.secrets().inNamespace("kube-system").list());
            assertForbidden(() -> operator.secrets().inAnyNamespace().list());
            assertForbidden(() -> operator.secrets().inNamespace(ns.name()).withName("otlp-headers")
                    .watch(new IgnoringWatcher<>()));
            assertForbidden(() -> operator.secrets().inNamespace(ns.name()).withName("otlp-headers").delete());
        }
    }

    /** The operator writes its copy by name with server-side apply, and no other Secret of its namespace. */
    @Test
    void operatorWritesOnlyTheHeadersCopy(ControlPlane cluster, KubernetesClient admin) {
        String other = "rbac-it-other-" + SUFFIX;
        try (KubernetesClient operator = cluster.impersonating(Sonde.NAMESPACE, Sonde.OPERATOR)) {
            if (admin.secrets().inNamespace(Sonde.NAMESPACE).withName(HEADERS_COPY).get() == null) {
                // Only when no running operator has written one: apply creates it (create, then patch by name).
                operator.secrets().inNamespace(Sonde.NAMESPACE).resource(new SecretBuilder()
                        .withNewMetadata().withName(HEADERS_COPY).endMetadata().addToStringData("uid", "{}").build())
                        .fieldManager("rbac-it").serverSideApply();
                cleanups.add(() -> admin.secrets().inNamespace(Sonde.NAMESPACE).withName(HEADERS_COPY).delete());
                assertThat(admin.secrets().inNamespace(Sonde.NAMESPACE).withName(HEADERS_COPY).get()).isNotNull();
            }
            assertForbidden(() -> operator.secrets().inNamespace(Sonde.NAMESPACE).resource(new SecretBuilder()
                    .withNewMetadata().withName(other).endMetadata().addToStringData("k", "v").build())
                    .fieldManager("rbac-it").serverSideApply());
            assertThat(admin.secrets().inNamespace(Sonde.NAMESPACE).withName(other).get()).isNull();
        }
    }

    /**
     * The agent reads exactly the operator's copy of the headers, by name and watched with a name field selector,
     * and no other Secret: not in its namespace, not the tenant's original.
     */
    @Test
    void agentReadsAndWatchesOnlyTheHeadersCopy(ControlPlane cluster, KubernetesClient admin, TestNamespace ns) {
        String other = "rbac-it-other-" + SUFFIX;
        if (admin.secrets().inNamespace(Sonde.NAMESPACE).withName(HEADERS_COPY).get() == null) {
            admin.secrets().inNamespace(Sonde.NAMESPACE).resource(new SecretBuilder()
                    .withNewMetadata().withName(HEADERS_COPY).endMetadata().build()).create();
            cleanups.add(() -> admin.secrets().inNamespace(Sonde.NAMESPACE).withName(HEADERS_COPY).delete());
        }
        admin.secrets().inNamespace(Sonde.NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(other).endMetadata().addToStringData("k", "v").build()).create();
        cleanups.add(() -> admin.secrets().inNamespace(Sonde.NAMESPACE).withName(other).delete());
        try (KubernetesClient agent = cluster.impersonating(Sonde.NAMESPACE, Sonde.AGENT)) {
            var secrets = agent.secrets().inNamespace(Sonde.NAMESPACE);
            assertThat(secrets.withName(HEADERS_COPY).get()).isNotNull();
            assertThat(secrets.withField("metadata.name", HEADERS_COPY).list().getItems())
                    .extracting(s -> s.getMetadata().getName()).containsExactly(HEADERS_COPY);
            try (Watch watch = secrets.withName(HEADERS_COPY).watch(new IgnoringWatcher<>())) {
                assertThat(watch).isNotNull();
            }
            assertForbidden(() -> secrets.list());
            assertForbidden(() -> secrets.withName(other).get());
            assertForbidden(() -> secrets.withField("metadata.name", other).list());
            assertForbidden(() -> agent.secrets().inNamespace(ns.name()).withName("otlp-headers").get());
            assertForbidden(() -> agent.secrets().inNamespace(ns.name()).withName(HEADERS_COPY).get());
            assertForbidden(() -> secrets.withName(HEADERS_COPY).delete());
        }
    }

    // ---- helpers ----

    private static void assertForbidden(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
    }

    private static KubernetesClient clientWithToken(KubernetesClient admin, String token) {
        Config adminConfig = admin.getConfiguration();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(adminConfig.getMasterUrl())
                .withCaCertFile(adminConfig.getCaCertFile())
                .withCaCertData(adminConfig.getCaCertData())
                .withAutoOAuthToken(token)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    static GenericKubernetesResource networkMonitor(String name) {
        GenericKubernetesResource monitor = new GenericKubernetesResource();
        monitor.setApiVersion(Sonde.API_VERSION);
        monitor.setKind("NetworkMonitor");
        monitor.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        monitor.setAdditionalProperty("spec", new java.util.HashMap<>(Map.of("profile", "standard",
                "podSelector", Map.of("matchLabels", Map.of("app", name)))));
        return monitor;
    }

    private static GenericKubernetesResource agentReport(String node) {
        GenericKubernetesResource report = new GenericKubernetesResource();
        report.setApiVersion(Sonde.API_VERSION);
        report.setKind("AgentReport");
        report.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(node).build());
        report.setAdditionalProperty("spec", Map.of("nodeName", node, "agentVersion", "0.1.0-rbac-it"));
        return report;
    }

    /** A DaemonSet whose nodeSelector matches no node, so no pods are created. */
    private static DaemonSet daemonSet(String name) {
        return new DaemonSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addToNodeSelector("sonde.dev/rbac-it", "none")
                .addNewContainer().withName("agent").withImage("registry.invalid/sonde-agent").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private static final class IgnoringWatcher<T> implements Watcher<T> {
        @Override
        public void eventReceived(Action action, T resource) {
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    }
}
