package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bundle/ must be what the operator build generates (operator/target/bundle/sonde/: CSV, metadata,
 * bundle.Dockerfile), with the CRDs of crds/ and every one of them owned by the CSV (the generator lists only the
 * reconciled ones). With {@code -Dsonde.updateBundle=true} (hack/update-bundle.sh) the test writes bundle/ instead.
 * The CSV must also agree with config/: RBAC, samples, operator image.
 */
class BundleUpToDateTest {

    static final Path GENERATED = Path.of("operator/target/bundle/sonde");
    static final String CSV = "manifests/sonde.clusterserviceversion.yaml";
    static final List<String> COPIED = List.of("bundle.Dockerfile", "metadata/annotations.yaml");
    /** Readable YAML (alm-examples as a block); the comparison parses it back, so a lost quote would show. */
    static final ObjectMapper CSV_WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES, YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS,
                    YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build();

    @BeforeAll
    static void generatedBundleExists() {
        // The reactor builds operator/ before config-tests/; alone, this module has nothing to compare with, and a
        // bundle check that quietly skips would let a stale bundle/ through.
        assertThat(RepoFiles.root().resolve(GENERATED))
                .as("no " + GENERATED + ": build the operator first (./mvnw -pl operator -am package)")
                .isDirectory();
    }

    @Test
    void bundleIsWhatTheBuildGeneratesWithTheCrds() throws IOException {
        Path generated = RepoFiles.root().resolve(GENERATED);
        TreeMap<String, String> expected = new TreeMap<>();
        for (String file : COPIED) {
            expected.put(file, RepoFiles.read(generated.resolve(file)));
        }
        List<ObjectNode> crds = new ArrayList<>();
        for (Path crd : RepoFiles.yamlFiles("crds")) {
            expected.put("manifests/" + crd.getFileName(), RepoFiles.read(crd));
            crds.add(RepoFiles.documents(crd).getFirst());
        }
        ObjectNode csv = completed(RepoFiles.documents(generated.resolve(CSV)).getFirst(), crds);
        expected.put(CSV, CSV_WRITER.writeValueAsString(csv));

        Path bundle = RepoFiles.path("bundle");
        if (Boolean.getBoolean("sonde.updateBundle")) {
            RepoFiles.deleteRecursively(bundle);
            for (var file : expected.entrySet()) {
                Files.createDirectories(bundle.resolve(file.getKey()).getParent());
                Files.writeString(bundle.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            return;
        }
        TreeMap<String, String> committed = filesUnder(bundle);
        Set<String> differing = new TreeSet<>(expected.keySet());
        differing.addAll(committed.keySet());
        differing.removeIf(f -> committed.containsKey(f) && (f.equals(CSV)
                ? RepoFiles.documents(bundle.resolve(CSV)).getFirst().equals(csv)
                : expected.get(f).equals(committed.get(f))));
        if (!differing.isEmpty()) {
            fail("bundle/ is stale: run hack/update-bundle.sh (differing: " + differing + ")");
        }
    }

    /**
     * The CSV with every CRD owned, described by its schema's description, the native kinds the operator writes
     * (the agent ConfigMap and DaemonSet); and in a stable order: the generator orders the env entries, container
     * ports and RBAC rules differently from one build to the next.
     */
    static ObjectNode completed(ObjectNode csv, List<ObjectNode> crds) {
        ObjectNode completed = csv.deepCopy();
        ArrayNode owned = ((ObjectNode) completed.path("spec").path("customresourcedefinitions")).putArray("owned");
        for (ObjectNode crd : crds) {
            JsonNode spec = crd.path("spec");
            JsonNode version = spec.path("versions").get(0);
            owned.addObject()
                    .put("kind", spec.path("names").path("kind").asText())
                    .put("name", crd.path("metadata").path("name").asText())
                    .put("version", version.path("name").asText())
                    .put("displayName", spec.path("names").path("kind").asText())
                    .put("description", version.path("schema").path("openAPIV3Schema").path("description").asText());
        }
        // the generator lists the native kinds of workflow dependents only; the fleet's are standalone
        ArrayNode nativeApis = ((ObjectNode) completed.path("spec")).putArray("nativeAPIs");
        nativeApis.addObject().put("kind", "ConfigMap").put("group", "").put("version", "v1");
        nativeApis.addObject().put("kind", "DaemonSet").put("group", "apps").put("version", "v1");
        JsonNode install = completed.path("spec").path("install").path("spec");
        for (JsonNode deployment : install.path("deployments")) {
            for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
                sort(container.path("env"), env -> env.path("name").asText());
                sort(container.path("ports"), port -> port.path("name").asText());
            }
        }
        for (String permissions : List.of("clusterPermissions", "permissions")) {
            for (JsonNode permission : install.path(permissions)) {
                sort(permission.path("rules"), JsonNode::toString);
            }
        }
        return completed;
    }

    private static void sort(JsonNode array, Function<JsonNode, String> key) {
        if (array instanceof ArrayNode elements) {
            List<JsonNode> sorted = new ArrayList<>();
            elements.forEach(sorted::add);
            sorted.sort(Comparator.comparing(key));
            elements.removeAll().addAll(sorted);
        }
    }

    @Test
    void csvOwnsTheGeneratedCrdsAndInstallsInAllNamespaces() {
        JsonNode generated = RepoFiles.documents(RepoFiles.root().resolve(GENERATED).resolve(CSV)).getFirst();
        assertThat(generated.path("spec").path("customresourcedefinitions").path("owned"))
                .extracting(o -> o.path("name").asText())
                .containsExactlyInAnyOrder("networkmonitors.sonde.dev", "probeprofiles.sonde.dev");
        JsonNode spec = csv().path("spec");
        assertThat(spec.path("customresourcedefinitions").path("owned")).extracting(o -> o.path("name").asText())
                .containsExactlyInAnyOrder("agentreports.sonde.dev", "networkmonitors.sonde.dev", "probeprofiles.sonde.dev");
        assertThat(spec.path("installModes")).filteredOn(m -> m.path("supported").asBoolean())
                .extracting(m -> m.path("type").asText()).containsExactly("AllNamespaces");
    }

    @Test
    void csvPermissionsAreTheOperatorRolesOfConfigRbac() {
        JsonNode install = csv().path("spec").path("install").path("spec");
        assertThat(rules(install.path("clusterPermissions").get(0).path("rules")))
                .isEqualTo(rules(role("config/rbac/operator-clusterrole.yaml", "ClusterRole").path("rules")));
        assertThat(rules(install.path("permissions").get(0).path("rules")))
                .isEqualTo(rules(role("config/rbac/operator-role.yaml", "Role").path("rules")));
        assertThat(install.path("clusterPermissions").get(0).path("serviceAccountName").asText()).isEqualTo(Sonde.OPERATOR);
    }

    @Test
    void csvDeploymentRunsTheImageOfConfigManager() {
        JsonNode container = csv().path("spec").path("install").path("spec").path("deployments").get(0)
                .path("spec").path("template").path("spec").path("containers").get(0);
        JsonNode manager = RepoFiles.documents(RepoFiles.path("config/manager/deployment.yaml")).getFirst()
                .path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo(manager.path("image").asText());
        assertThat(container.path("env")).anySatisfy(env -> {
            assertThat(env.path("name").asText()).isEqualTo("SONDE_OPERATOR_NAMESPACE");
            assertThat(env.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.namespace");
        });
    }

    /** Each alm-example is the config/samples manifest of the same kind and name, comments aside. */
    @Test
    void almExamplesAreSamples() {
        JsonNode examples = RepoFiles.parseJson(csv().path("metadata").path("annotations").path("alm-examples").asText());
        SampleManifests samples = SampleManifests.load();
        assertThat(examples).hasSize(2).allSatisfy(example -> {
            ObjectNode sample = samples.ofKind(example.path("kind").asText()).stream()
                    .filter(s -> s.name().equals(example.path("metadata").path("name").asText()))
                    .findFirst().orElseThrow().manifest();
            assertThat(example).isEqualTo(sample);
        });
    }

    private static JsonNode csv() {
        return RepoFiles.documents(RepoFiles.path("bundle").resolve(CSV)).getFirst();
    }

    private static JsonNode role(String file, String kind) {
        return RepoFiles.documents(RepoFiles.path(file)).stream()
                .filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    /** Rules as a set: the generator does not keep their order. */
    private static Set<JsonNode> rules(JsonNode rules) {
        Set<JsonNode> set = new HashSet<>();
        rules.forEach(set::add);
        return set;
    }

    private static TreeMap<String, String> filesUnder(Path dir) {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.filter(Files::isRegularFile)
                    .forEach(p -> files.put(dir.relativize(p).toString(), RepoFiles.read(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
