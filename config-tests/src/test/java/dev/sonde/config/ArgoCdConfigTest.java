package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** config/argocd/argocd-cm.yaml carries exactly the tested health.lua files; application.yaml points at real paths. */
class ArgoCdConfigTest {

    private static final Path CONFIG_MAP = RepoFiles.path("config/argocd/argocd-cm.yaml");

    @Test
    void configMapSnippetEmbedsEachHealthLuaVerbatim() throws IOException {
        if (Boolean.getBoolean("sonde.update-argocd-cm")) {
            Files.writeString(CONFIG_MAP, regenerate());
        }
        ObjectNode configMap = RepoFiles.documents(CONFIG_MAP).getFirst();
        assertThat(configMap.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
        for (String kind : ArgoCdHealthTest.KINDS) {
            String key = "resource.customizations.health.sonde.dev_" + kind;
            assertThat(configMap.path("data").path(key).asText())
                    .as("%s in %s (rerun with -Dsonde.update-argocd-cm=true)", key, CONFIG_MAP)
                    .isEqualTo(RepoFiles.read(ArgoCdHealthTest.kindDir(kind).resolve("health.lua")));
        }
    }

    @Test
    void docsShowTheSameHealthCheckKeys() {
        String docs = RepoFiles.read(RepoFiles.path("docs/argocd.md"));
        for (String kind : ArgoCdHealthTest.KINDS) {
            assertThat(docs).contains("resource.customizations.health.sonde.dev_" + kind);
        }
        assertThat(docs).contains("config/argocd/argocd-cm.yaml", "config/argocd/application.yaml");
    }

    @Test
    void applicationDeploysPathsThatExist() {
        ObjectNode application = RepoFiles.documents(RepoFiles.path("config/argocd/application.yaml")).getFirst();
        assertThat(application.path("kind").asText()).isEqualTo("Application");
        List<String> paths = application.path("spec").path("sources").findValuesAsText("path");
        assertThat(paths).containsExactly("crds", "config");
        paths.forEach(p -> assertThat(RepoFiles.path(p)).isDirectory());
        JsonNode directory = application.path("spec").path("sources").get(1).path("directory");
        assertThat(directory.path("include").asText()).isEqualTo("{rbac/*.yaml,samples/*.yaml}");
        assertThat(RepoFiles.yamlFiles("config/rbac")).isNotEmpty();
        assertThat(RepoFiles.yamlFiles("config/samples")).isNotEmpty();
    }

    /** The Helm way in: the chart's path, its release name, and only values the chart has. */
    @Test
    void helmApplicationInstallsTheChartWithItsOwnValues() {
        ObjectNode application = RepoFiles.documents(RepoFiles.path("config/argocd/application-helm.yaml")).getFirst();
        assertThat(application.path("kind").asText()).isEqualTo("Application");
        JsonNode source = application.path("spec").path("source");
        assertThat(source.path("path").asText()).isEqualTo("charts/sonde");
        assertThat(RepoFiles.path("charts/sonde/Chart.yaml")).isRegularFile();
        assertThat(application.path("spec").path("destination").path("namespace").asText()).isEqualTo(Sonde.NAMESPACE);
        JsonNode chartValues = RepoFiles.documents(RepoFiles.path("charts/sonde/values.yaml")).getFirst();
        assertThat(JsonSubset.differences(skeleton(source.path("helm").path("valuesObject")), skeleton(chartValues)))
                .as("values the chart does not have").isEmpty();
        assertThat(application.path("spec").path("syncPolicy").path("syncOptions").toString())
                .contains("CreateNamespace=true", "ServerSideApply=true");
    }

    /** The keys of a values tree, leaves replaced by null: compares which keys exist, not their values. */
    private static JsonNode skeleton(JsonNode values) {
        ObjectNode out = RepoFiles.JSON.createObjectNode();
        values.properties().forEach(e -> out.set(e.getKey(), e.getValue().isObject() ? skeleton(e.getValue())
                : RepoFiles.JSON.getNodeFactory().textNode("")));
        return out;
    }

    private static String regenerate() {
        String existing = RepoFiles.read(CONFIG_MAP);
        StringBuilder out = new StringBuilder(existing.substring(0, existing.indexOf("\ndata:\n") + "\ndata:\n".length()));
        for (String kind : ArgoCdHealthTest.KINDS) {
            out.append("  resource.customizations.health.sonde.dev_").append(kind).append(": |\n");
            for (String line : RepoFiles.read(ArgoCdHealthTest.kindDir(kind).resolve("health.lua")).split("\n", -1)) {
                out.append(line.isEmpty() ? "" : "    " + line).append('\n');
            }
            out.setLength(out.length() - 1); // the file's final newline already ended the last line
        }
        return out.toString();
    }
}
