package dev.sonde.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The least-privilege rules every Role and ClusterRole in config/rbac must keep. */
final class RbacRules {

    /** Verbs that let a subject grant itself or others more than it has. */
    static final Set<String> PRIVILEGE_ESCALATING_VERBS = Set.of("escalate", "bind", "impersonate");
    private static final List<String> LISTS = List.of("verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs");

    private RbacRules() {
    }

    /** Violations in one manifest (empty when it is not a Role/ClusterRole or keeps the rules). */
    static List<String> violations(String source, JsonNode manifest) {
        String kind = manifest.path("kind").asText();
        if (!kind.equals("Role") && !kind.equals("ClusterRole")) {
            return List.of();
        }
        String name = source + ": " + kind + " " + manifest.path("metadata").path("name").asText();
        List<String> violations = new ArrayList<>();
        if (manifest.has("aggregationRule")) {
            violations.add(name + " aggregates other roles (its rights are then not visible here)");
        }
        JsonNode rules = manifest.path("rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            for (String list : LISTS) {
                for (JsonNode value : rule.path(list)) {
                    if (value.asText().contains("*")) {
                        violations.add(name + " rule " + i + ": wildcard in " + list + ": " + value.asText());
                    }
                }
            }
            for (JsonNode verb : rule.path("verbs")) {
                if (PRIVILEGE_ESCALATING_VERBS.contains(verb.asText())) {
                    violations.add(name + " rule " + i + ": privilege-escalating verb " + verb.asText());
                }
            }
            if (rule.path("verbs").isEmpty()) {
                violations.add(name + " rule " + i + ": no verbs");
            }
        }
        return violations;
    }
}
