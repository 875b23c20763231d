package dev.sonde.operator.it;

import dev.sonde.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the operator's ServiceAccount and RBAC from config/rbac, moved into a test namespace, and writes a
 * kubeconfig that authenticates as that account with a bound token: the operator under test then has exactly
 * the rights a real installation gives it.
 */
public final class OperatorServiceAccount {

    private static final List<String> FILES = List.of("01-service-accounts.yaml", "operator-clusterrole.yaml",
            "operator-role.yaml");

    private OperatorServiceAccount() {
    }

    /** Installs the RBAC for {@code namespace}; returns the cluster-scoped objects, for deletion. */
    public static List<HasMetadata> install(ControlPlane cluster, KubernetesClient client, String namespace) {
        String clusterName = "sonde-operator-" + namespace;
        List<HasMetadata> clusterScoped = new ArrayList<>();
        for (String file : FILES) {
            Path path = cluster.repoRoot().resolve("config/rbac").resolve(file);
            try (InputStream in = new FileInputStream(path.toFile())) {
                for (HasMetadata object : client.load(in).items()) {
                    switch (object) {
                        case ServiceAccount sa when "sonde-operator".equals(sa.getMetadata().getName()) ->
                                sa.getMetadata().setNamespace(namespace);
                        case ServiceAccount other -> {
                            continue;
                        }
                        case ClusterRole role -> {
                            role.getMetadata().setName(clusterName);
                            clusterScoped.add(role);
                        }
                        case ClusterRoleBinding binding -> {
                            binding.getMetadata().setName(clusterName);
                            binding.getRoleRef().setName(clusterName);
                            binding.getSubjects().forEach(s -> moveSubject(s, namespace));
                            clusterScoped.add(binding);
                        }
                        case Role role -> role.getMetadata().setNamespace(namespace);
                        case RoleBinding binding -> {
                            binding.getMetadata().setNamespace(namespace);
                            binding.getSubjects().forEach(s -> moveSubject(s, namespace));
                        }
                        default -> throw new IllegalStateException("unexpected " + object.getKind() + " in " + file);
                    }
                    client.resource(object).forceConflicts().serverSideApply();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return clusterScoped;
    }

    private static void moveSubject(Subject subject, String namespace) {
        if ("ServiceAccount".equals(subject.getKind())) {
            subject.setNamespace(namespace);
        }
    }

    /** A kubeconfig for the operator's ServiceAccount in {@code namespace}, valid for two hours. */
    static Path kubeconfig(ControlPlane cluster, String namespace, Path target) {
        String token = cluster.kubectl("create", "token", "sonde-operator", "-n", namespace, "--duration=2h")
                .orThrow().strip();
        return kubeconfig(cluster.client().getConfiguration(), token, namespace, target);
    }

    /** A kubeconfig that reaches the API server {@code admin} names with {@code token}, in {@code namespace}. */
    public static Path kubeconfig(Config admin, String token, String namespace, Path target) {
        String ca = admin.getCaCertData();
        if (ca == null && admin.getCaCertFile() != null) {
            try {
                ca = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: local
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: sonde-operator
                  user:
                    token: %s
                contexts:
                - name: sonde-operator
                  context:
                    cluster: local
                    user: sonde-operator
                    namespace: %s
                current-context: sonde-operator
                """.formatted(admin.getMasterUrl(), ca, token, namespace);
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
