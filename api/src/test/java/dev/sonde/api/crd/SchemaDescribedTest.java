package dev.sonde.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** What `kubectl explain` and `kubectl get` show, checked on the generated CRDs. */
class SchemaDescribedTest {

    private static final Map<String, String> CRDS = CrdGeneration.generate();

    private static CustomResourceDefinition crd(String file) {
        return Serialization.unmarshal(CRDS.get(file), CustomResourceDefinition.class);
    }

    @Test
    void everyFieldHasADescription() {
        List<String> undescribed = new ArrayList<>();
        for (String file : CRDS.keySet()) {
            JSONSchemaProps root = crd(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
            collectUndescribed(file, root, undescribed);
        }
        assertThat(undescribed).isEmpty();
    }

    private static void collectUndescribed(String path, JSONSchemaProps schema, List<String> undescribed) {
        if (schema.getDescription() == null || schema.getDescription().isBlank()) {
            undescribed.add(path);
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, child) -> collectUndescribed(path + "." + name, child, undescribed));
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null
                && "object".equals(schema.getItems().getSchema().getType())) {
            // kubectl explain shows the list field's description for its items; their fields need their own.
            JSONSchemaProps item = schema.getItems().getSchema();
            if (item.getProperties() != null) {
                item.getProperties().forEach((name, child) -> collectUndescribed(path + "[]." + name, child, undescribed));
            }
        }
    }

    /** kubectl and the API server read YAML 1.1, where an unquoted True is a boolean: nothing may change meaning. */
    @Test
    void yaml11ParsersReadWhatWasMeant() {
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<String, String> file : CRDS.entrySet()) {
            Object yaml11 = new Yaml(new SafeConstructor(new LoaderOptions())).load(file.getValue());
            JsonNode meant = json.valueToTree(crd(file.getKey()));
            assertThat(json.valueToTree(yaml11).equals(
                    (a, b) -> a.isNumber() && b.isNumber() ? Double.compare(a.asDouble(), b.asDouble()) : a.equals(b) ? 0 : 1,
                    meant)).as(file.getKey()).isTrue();
        }
    }

    @Test
    void networkMonitorColumnsAreTheContractsInOrder() {
        List<CustomResourceColumnDefinition> columns = crd("networkmonitors.sonde.dev.yaml").getSpec().getVersions().get(0)
                .getAdditionalPrinterColumns();
        assertThat(columns.stream().filter(c -> c.getPriority() == 0).map(CustomResourceColumnDefinition::getName))
                .containsExactly("PROFILE", "PODS", "NODES", "HEALTH", "RETRANS", "CONNECT-P99", "AGE");
        assertThat(columns).extracting(CustomResourceColumnDefinition::getJsonPath)
                .contains(".status.nodes.summary", ".status.health", ".metadata.creationTimestamp");
    }

    @Test
    void probeProfileColumnsAreInOrder() {
        List<CustomResourceColumnDefinition> columns = crd("probeprofiles.sonde.dev.yaml").getSpec().getVersions().get(0)
                .getAdditionalPrinterColumns();
        assertThat(columns).extracting(CustomResourceColumnDefinition::getName)
                .containsExactly("PROBES", "INTERVAL", "OVERHEAD", "MONITORS", "AGE");
    }

    @Test
    void namesAndScopesAreTheContracts() {
        CustomResourceDefinition pp = crd("probeprofiles.sonde.dev.yaml");
        CustomResourceDefinition nm = crd("networkmonitors.sonde.dev.yaml");
        CustomResourceDefinition ar = crd("agentreports.sonde.dev.yaml");
        assertThat(pp.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(pp.getSpec().getNames().getShortNames()).containsExactly("pp");
        assertThat(nm.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(nm.getSpec().getNames().getShortNames()).containsExactly("nm");
        assertThat(ar.getSpec().getScope()).isEqualTo("Namespaced");
        for (CustomResourceDefinition crd : List.of(pp, nm, ar)) {
            assertThat(crd.getSpec().getGroup()).isEqualTo("sonde.dev");
            assertThat(crd.getSpec().getVersions()).singleElement()
                    .satisfies(v -> assertThat(v.getName()).isEqualTo("v1alpha1"));
        }
        assertThat(nm.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
        assertThat(pp.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
        assertThat(ar.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties())
                .as("AgentReport has no status").containsOnlyKeys("spec");
    }
}
