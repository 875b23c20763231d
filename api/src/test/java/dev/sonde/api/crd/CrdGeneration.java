package dev.sonde.api.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sonde.api.v1alpha1.AgentReport;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.ProbeProfile;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Generates Sonde's CRD YAML from the API classes, as committed under crds/. */
final class CrdGeneration {

    static final List<Class<? extends HasMetadata>> KINDS = List.of(ProbeProfile.class, NetworkMonitor.class,
            AgentReport.class);

    static final String HEADER =
            "# Generated from the dev.sonde.api.v1alpha1 classes by hack/update-crds.sh. Do not edit.\n";

    private CrdGeneration() {
    }

    /** File name under crds/ to YAML, e.g. networkmonitors.sonde.dev.yaml. */
    static Map<String, String> generate() {
        InMemoryOutput output = new InMemoryOutput();
        new CRDGenerator()
                .customResourceClasses(KINDS)
                .forCRDVersions("v1")
                // Minimal quoting is left off: it writes True unquoted, which YAML 1.1 (kubectl) reads as a boolean.
                .withParallelGenerationEnabled(false)
                .withPostProcessor(new Finishing())
                .withOutput(output)
                .generate();
        Map<String, String> files = new TreeMap<>();
        output.streams.forEach((outputName, bytes) -> {
            String yaml = bytes.toString(StandardCharsets.UTF_8);
            // Replace fabric8's "manual edits might get overwritten" with how to regenerate.
            files.put(outputName.replaceFirst("-v1$", "") + ".yaml", HEADER + yaml.substring(yaml.indexOf('\n') + 1));
        });
        return files;
    }

    /**
     * What the generator can't express through annotations: printer columns in declaration order (it sorts
     * them by path), the kind's description from {@code @JsonClassDescription}, and the metav1.Condition
     * schema (descriptions, status enum, a map list keyed by type) for status.conditions.
     */
    private static final class Finishing implements CRDPostProcessor {

        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            CustomResourceDefinition v1 = (CustomResourceDefinition) crd;
            Class<?> kind = KINDS.stream()
                    .filter(k -> CustomResource.getCRDName(k).equals(v1.getMetadata().getName()))
                    .findFirst()
                    .orElseThrow();
            List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::jsonPath)
                    .toList();
            for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
                Map<String, CustomResourceColumnDefinition> byPath = version.getAdditionalPrinterColumns().stream()
                        .collect(Collectors.toMap(CustomResourceColumnDefinition::getJsonPath, Function.identity()));
                version.setAdditionalPrinterColumns(byPath.values().stream()
                        .sorted(Comparator.comparingInt(c -> declared.indexOf(c.getJsonPath())))
                        .toList());
                JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
                root.setDescription(kind.getAnnotation(JsonClassDescription.class).value());
                if (kind == AgentReport.class) {
                    // CustomResource<Spec, Void> still gets an empty status property.
                    root.getProperties().remove("status");
                }
                JSONSchemaProps status = root.getProperties().get("status");
                if (status != null && status.getProperties().containsKey("conditions")) {
                    describeConditions(status.getProperties().get("conditions"));
                }
            }
            return crd;
        }

        private static void describeConditions(JSONSchemaProps conditions) {
            conditions.setXKubernetesListType("map");
            conditions.setXKubernetesListMapKeys(List.of("type"));
            JSONSchemaProps item = conditions.getItems().getSchema();
            item.setDescription("A condition in the metav1.Condition shape.");
            item.setRequired(List.of("status", "type"));
            Map<String, JSONSchemaProps> fields = item.getProperties();
            fields.get("type").setDescription("Type of the condition in CamelCase, e.g. Ready.");
            fields.get("status").setDescription("True, False or Unknown.");
            fields.get("status").setEnum(List.of(new TextNode("False"), new TextNode("True"), new TextNode("Unknown")));
            fields.get("reason").setDescription("Why the condition has its status, in CamelCase, e.g. ProfileNotFound.");
            fields.get("message").setDescription("Details for a person.");
            fields.get("lastTransitionTime").setDescription("When status last changed, RFC 3339.");
            fields.get("lastTransitionTime").setFormat("date-time");
            fields.get("observedGeneration").setDescription("The metadata.generation the condition was computed from.");
        }
    }

    private static final class InMemoryOutput extends CRDGenerator.AbstractCRDOutput<ByteArrayOutputStream> {

        final Map<String, ByteArrayOutputStream> streams = new TreeMap<>();

        @Override
        protected ByteArrayOutputStream createStreamFor(String crdName) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            streams.put(crdName, stream);
            return stream;
        }
    }
}
