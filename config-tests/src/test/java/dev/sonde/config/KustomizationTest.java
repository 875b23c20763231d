package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config/default builds from the Kustomization files next to crds/ and config/rbac/ (named without .yaml, so
 * kubectl apply -f on those directories skips them); each must list every manifest of its directory.
 */
class KustomizationTest {

    @ParameterizedTest
    @ValueSource(strings = {"crds", "config/rbac", "config/manager"})
    void listsEveryManifestOfItsDirectory(String dir) {
        Path kustomization = RepoFiles.path(dir).resolve(dir.equals("config/manager") ? "kustomization.yaml" : "Kustomization");
        JsonNode resources = RepoFiles.documents(kustomization).getFirst().path("resources");
        List<String> listed = new ArrayList<>();
        resources.forEach(r -> listed.add(r.asText()));
        List<String> manifests = RepoFiles.yamlFiles(dir).stream().map(p -> p.getFileName().toString())
                .filter(name -> !name.equals("kustomization.yaml")).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(manifests);
    }
}
