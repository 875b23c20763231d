package dev.sonde.testsupport;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handle on the real local control plane: its kubeconfig, an admin client, {@code kubectl}, and
 * clients that act as a ServiceAccount through impersonation.
 *
 * <p>Obtain one through {@link LocalControlPlane}; the extension starts or reuses the cluster once
 * per test run and closes it at the end (stopping it only if this run started it).
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final Pattern EXPORT = Pattern.compile("^export (\\w+)='([^']*)'");
    private static final long KUBECTL_TIMEOUT_SECONDS = 180;

    private final Path repoRoot;
    private final Path kubeconfig;
    private final String kubectl;
    private final String hostNode;
    private final boolean startedHere;
    private final Config adminConfig;
    private final KubernetesClient adminClient;

    private ControlPlane(Path repoRoot, Path kubeconfig, String kubectl, String hostNode, boolean startedHere) {
        this.repoRoot = repoRoot;
        this.kubeconfig = kubeconfig;
        this.kubectl = kubectl;
        this.hostNode = hostNode;
        this.startedHere = startedHere;
        this.adminConfig = configFrom(kubeconfig);
        this.adminClient = new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    /**
     * Reuses the cluster named by {@code KUBECONFIG}, else the one {@code hack/cluster.sh status}
     * finds running, else starts one with {@code hack/cluster.sh up}.
     */
    static ControlPlane startOrReuse() {
        Path root = findRepoRoot();
        String explicit = System.getenv("KUBECONFIG");
        if (explicit != null && !explicit.isBlank() && Files.isRegularFile(Path.of(explicit))) {
            LOG.info("using the control plane from KUBECONFIG={}", explicit);
            String kubectl = Optional.ofNullable(System.getenv("SONDE_KUBECTL")).orElse("kubectl");
            String hostNode = Optional.ofNullable(System.getenv("SONDE_HOST_NODE")).orElse(shortHostname());
            return new ControlPlane(root, Path.of(explicit), kubectl, hostNode, false);
        }
        boolean startedHere = false;
        if (runScript(root, "status").exitCode() != 0) {
            LOG.info("starting the local control plane with hack/cluster.sh up");
            KubectlResult up = runScript(root, "up");
            if (!up.succeeded()) {
                throw new IllegalStateException("hack/cluster.sh up failed (exit " + up.exitCode() + "):\n" + up.stderr());
            }
            startedHere = true;
        }
        Map<String, String> env = parseEnv(runScript(root, "env").orThrow());
        return new ControlPlane(root, Path.of(env.get("KUBECONFIG")), Path.of(env.get("PATH"), "kubectl").toString(),
                env.get("SONDE_HOST_NODE"), startedHere);
    }

    /** The admin client (system:masters). Shared; do not close it. */
    public KubernetesClient client() {
        return adminClient;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** The Node that stands for this host (not managed by kwok); the agent runs there in local mode. */
    public String hostNode() {
        return hostNode;
    }

    /**
     * A new client that acts as {@code system:serviceaccount:<namespace>:<name>} with that account's
     * groups, through impersonation by the admin. The caller closes it.
     */
    public KubernetesClient impersonating(String namespace, String serviceAccount) {
        Config config = new ConfigBuilder(adminConfig)
                .withImpersonateUsername(serviceAccountUser(namespace, serviceAccount))
                .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
                        "system:authenticated")
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    public static String serviceAccountUser(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /**
     * Applies Sonde's CRDs from {@code crds/} and waits until the API server serves them. Idempotent: every test
     * class that needs the CRDs calls it, so no test depends on another module having run first.
     */
    public void installCrds() {
        String crds = repoRoot.resolve("crds").toString();
        kubectl("apply", "--server-side", "--force-conflicts", "-f", crds).orThrow();
        kubectl("wait", "--for=condition=Established", "-f", crds, "--timeout=60s").orThrow();
    }

    /** Runs the cluster's {@code kubectl} with this control plane's kubeconfig. */
    public KubectlResult kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    /** Runs {@code kubectl} feeding {@code stdin} (e.g. a manifest for {@code apply -f -}). */
    public KubectlResult kubectlWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(kubectl);
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        return run(command, stdin, repoRoot, Map.of());
    }

    @Override
    public void close() {
        adminClient.close();
        if (startedHere && !"true".equals(System.getenv("SONDE_KEEP_CLUSTER"))) {
            LOG.info("stopping the local control plane this run started");
            runScript(repoRoot, "down");
        }
    }

    private static Config configFrom(Path kubeconfig) {
        try {
            return Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
        }
    }

    private static KubectlResult runScript(Path root, String command) {
        return run(List.of("bash", root.resolve("hack/cluster.sh").toString(), command), null, root, Map.of());
    }

    private static Map<String, String> parseEnv(String output) {
        Map<String, String> env = new HashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = EXPORT.matcher(line.strip());
            if (m.find()) {
                env.put(m.group(1), m.group(2));
            }
        }
        if (!env.containsKey("KUBECONFIG") || !env.containsKey("PATH")) {
            throw new IllegalStateException("unexpected output of hack/cluster.sh env:\n" + output);
        }
        return env;
    }

    static KubectlResult run(List<String> command, String stdin, Path workDir, Map<String, String> extraEnv) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(extraEnv);
        try {
            Process process = builder.start();
            CompletableFuture<String> out = readAsync(process.getInputStream());
            CompletableFuture<String> err = readAsync(process.getErrorStream());
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(KUBECTL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + KUBECTL_TIMEOUT_SECONDS + "s: " + command);
            }
            return new KubectlResult(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Path findRepoRoot() {
        String explicit = System.getenv("SONDE_ROOT");
        if (explicit != null && Files.isRegularFile(Path.of(explicit, "hack/cluster.sh"))) {
            return Path.of(explicit);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("hack/cluster.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Sonde repository (hack/cluster.sh) above "
                + Path.of("").toAbsolutePath() + "; set SONDE_ROOT");
    }

    private static String shortHostname() {
        return run(List.of("hostname", "-s"), null, Path.of("/"), Map.of()).orThrow().strip().toLowerCase();
    }
}
