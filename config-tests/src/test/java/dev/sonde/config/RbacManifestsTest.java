package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Static checks of config/rbac: no wildcards, no privilege-escalating verbs, bindings that resolve. */
class RbacManifestsTest {

    @Test
    void noRoleUsesWildcardsOrEscalatingVerbs() {
        List<String> violations = new ArrayList<>();
        int roles = 0;
        for (Path file : RepoFiles.yamlFiles("config/rbac")) {
            for (ObjectNode doc : RepoFiles.documents(file)) {
                if (doc.path("kind").asText().endsWith("Role")) {
                    roles++;
                }
                violations.addAll(RbacRules.violations(file.getFileName().toString(), doc));
            }
        }
        assertThat(roles).as("Roles and ClusterRoles in config/rbac").isEqualTo(5);
        assertThat(violations).isEmpty();
    }

    /** The check above must be able to fail. */
    @Test
    void checkerFlagsWildcardsAndEscalation() {
        JsonNode bad = yaml("""
                kind: ClusterRole
                metadata: {name: too-much}
                rules:
                  - apiGroups: ["*"]
                    resources: [pods]
                    verbs: [get]
                  - apiGroups: [""]
                    resources: ["*/status"]
                    verbs: [patch]
                  - apiGroups: [rbac.authorization.k8s.io]
                    resources: [clusterroles]
                    verbs: [bind, escalate]
                  - apiGroups: [""]
                    resources: [serviceaccounts]
                    verbs: [impersonate, "*"]
                """);
        assertThat(RbacRules.violations("test", bad)).hasSize(6)
                .anySatisfy(v -> assertThat(v).contains("wildcard in apiGroups"))
                .anySatisfy(v -> assertThat(v).contains("wildcard in resources"))
                .anySatisfy(v -> assertThat(v).contains("wildcard in verbs"))
                .anySatisfy(v -> assertThat(v).contains("privilege-escalating verb impersonate"));
    }

    @Test
    void everyBindingNamesAnExistingRoleAndOurServiceAccounts() {
        Set<String> roles = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>();
        List<ObjectNode> bindings = new ArrayList<>();
        for (Path file : RepoFiles.yamlFiles("config/rbac")) {
            for (ObjectNode doc : RepoFiles.documents(file)) {
                String kind = doc.path("kind").asText();
                String name = doc.path("metadata").path("name").asText();
                switch (kind) {
                    case "Role", "ClusterRole" -> roles.add(kind + "/" + name);
                    case "ServiceAccount" -> serviceAccounts.add(doc.path("metadata").path("namespace").asText() + "/" + name);
                    case "RoleBinding", "ClusterRoleBinding" -> bindings.add(doc);
                    default -> { }
                }
            }
        }
        assertThat(serviceAccounts).containsExactlyInAnyOrder("sonde-system/sonde-operator", "sonde-system/sonde-agent");
        assertThat(bindings).hasSize(4).allSatisfy(binding -> {
            JsonNode ref = binding.path("roleRef");
            assertThat(roles).contains(ref.path("kind").asText() + "/" + ref.path("name").asText());
            for (JsonNode subject : binding.path("subjects")) {
                assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
                assertThat(serviceAccounts).contains(subject.path("namespace").asText() + "/" + subject.path("name").asText());
            }
        });
    }

    private static JsonNode yaml(String text) {
        try {
            return RepoFiles.YAML.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
