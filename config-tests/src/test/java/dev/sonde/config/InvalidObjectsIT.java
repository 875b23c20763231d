package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The invalid-object corpus: api/src/test/resources/invalid plus config-tests' own
 * src/test/resources/invalid, each file's first line "# expect: <substring>". Every object is
 * applied for real ({@code kubectl apply --server-side}, not a dry run) and must be refused with a
 * message containing that substring.
 */
@LocalControlPlane
class InvalidObjectsIT {

    private static final String EXPECT = "# expect: ";
    private static final List<String> CORPORA = List.of("api/src/test/resources/invalid", "config-tests/src/test/resources/invalid");

    @BeforeAll
    static void install(ControlPlane cluster) {
        cluster.installCrds();
    }

    static Stream<Path> corpus() {
        return CORPORA.stream().flatMap(dir -> RepoFiles.yamlFiles(dir).stream());
    }

    @Test
    void corpusIsLargeEnough() {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(15 + 11);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void applyIsRefusedWithTheExpectedMessage(Path file, ControlPlane cluster, TestNamespace ns) {
        String firstLine = RepoFiles.read(file).lines().findFirst().orElse("");
        assertThat(firstLine).as("first line of %s", file).startsWith(EXPECT);
        String expected = firstLine.substring(EXPECT.length()).strip();

        ObjectNode manifest = RepoFiles.documents(file).getFirst();
        ObjectNode metadata = (ObjectNode) manifest.get("metadata");
        if (metadata.has("namespace")) {
            metadata.put("namespace", ns.name());
        }
        KubectlResult result = cluster.kubectlWithInput(RepoFiles.toJson(manifest), "apply", "--server-side", "-f", "-");
        if (result.succeeded()) {
            cluster.kubectlWithInput(RepoFiles.toJson(manifest), "delete", "--ignore-not-found", "-f", "-");
        }
        assertThat(result.exitCode()).as("%s was accepted:\n%s", file.getFileName(), result.stdout()).isNotZero();
        assertThat(result.stderr()).as(file.getFileName().toString()).contains(expected);
    }

    /** The API server's answer ends up in terminals and CI logs: it must not repeat the credentials it refuses. */
    @Test
    void anEndpointWithCredentialsIsRefusedWithoutRepeatingThem(ControlPlane cluster, TestNamespace ns) {
        String monitor = """
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: endpoint-credentials
                  namespace: %s
                spec:
                  profile: standard
                  export:
                    otlp:
                      endpoint: https://sonde:s3cr3t-t0ken@otlp.example.com:4318
                """.formatted(ns.name());
        KubectlResult result = cluster.kubectlWithInput(monitor, "apply", "--server-side", "-f", "-");
        assertThat(result.exitCode()).as("accepted:%n%s", result.stdout()).isNotZero();
        assertThat(result.stderr()).contains("endpoint must not carry credentials").doesNotContain("s3cr3t-t0ken");
    }

    /**
     * The corpus must also prove the harness accepts valid objects, or every case above passes trivially: here the
     * forms the rules must let through, prefixed label keys in all three selectors and an endpoint without userinfo.
     */
    @Test
    void aValidObjectIsAccepted(ControlPlane cluster, TestNamespace ns) {
        String monitor = """
                apiVersion: sonde.dev/v1alpha1
                kind: NetworkMonitor
                metadata:
                  name: valid
                  namespace: %s
                spec:
                  profile: standard
                  podSelector:
                    matchLabels:
                      app.kubernetes.io/name: checkout
                    matchExpressions:
                      - key: example.com/Canary_Track
                        operator: DoesNotExist
                  namespaceSelector:
                    matchLabels:
                      team: payments
                  nodeSelector:
                    matchExpressions:
                      - key: topology.kubernetes.io/zone
                        operator: In
                        values: [eu-west-1a]
                  export:
                    otlp:
                      endpoint: https://otel-collector.observability:4318/v1/metrics
                      protocol: http/protobuf
                """.formatted(ns.name());
        KubectlResult result = cluster.kubectlWithInput(monitor, "apply", "--server-side", "-f", "-");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(cluster.kubectl("get", "nm", "valid", "-n", ns.name(), "-o",
                "jsonpath={.spec.podSelector.matchLabels}").orThrow()).contains("app.kubernetes.io/name");
    }
}
