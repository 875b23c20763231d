package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.sonde.testsupport.ControlPlane;
import dev.sonde.testsupport.KubectlResult;
import dev.sonde.testsupport.LocalControlPlane;
import dev.sonde.testsupport.TestNamespace;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The selectors' label-key rules judged against Kubernetes' own: the cases of apimachinery's TestIsQualifiedName
 * (k8s.io/apimachinery/pkg/util/validation), each as a matchLabels key and as a matchExpressions key, sent to the
 * real API server with a server-side dry run.
 */
@LocalControlPlane
class LabelKeyValidationIT {

    private static final String MESSAGE = "label keys must be qualified names";

    @BeforeAll
    static void install(ControlPlane cluster) {
        cluster.installCrds();
    }

    static Stream<String> qualifiedNames() {
        return Stream.of("simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
                "now-with-dashes/simple", "now-with-dashes/now-with-dashes", "now.with.dots/simple",
                "now-with.dashes-and.dots/simple", "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123",
                "example.com/Uppercase_Is_OK_123", "requests.storage-foo", "a".repeat(63),
                "a".repeat(253) + "/" + "b".repeat(63));
    }

    static Stream<String> notQualifiedNames() {
        return Stream.of("nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash",
                "Example.com/abc", "example_com/abc", "example.com/", "/simple", "a".repeat(64), "a".repeat(254) + "/abc",
                "a b");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qualifiedNames")
    void aQualifiedNameIsAccepted(String key, ControlPlane cluster, TestNamespace ns) {
        for (String selector : selectors(key)) {
            KubectlResult result = dryRun(cluster, ns, selector);
            assertThat(result.exitCode()).as("%s refused:%n%s", selector, result.stderr()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notQualifiedNames")
    void anythingElseIsRefused(String key, ControlPlane cluster, TestNamespace ns) {
        for (String selector : selectors(key)) {
            KubectlResult result = dryRun(cluster, ns, selector);
            assertThat(result.exitCode()).as("%s accepted", selector).isNotZero();
            assertThat(result.stderr()).as(selector).contains(MESSAGE);
        }
    }

    /** The key in a podSelector's matchLabels and in a nodeSelector's matchExpressions, as JSON (keys may hold '%'). */
    private static String[] selectors(String key) {
        String quoted = RepoFiles.toJson(TextNode.valueOf(key));
        return new String[] {
                "\"podSelector\": {\"matchLabels\": {" + quoted + ": \"web\"}}",
                "\"nodeSelector\": {\"matchExpressions\": [{\"key\": " + quoted + ", \"operator\": \"Exists\"}]}"};
    }

    private static KubectlResult dryRun(ControlPlane cluster, TestNamespace ns, String selector) {
        String monitor = """
                {"apiVersion": "sonde.dev/v1alpha1", "kind": "NetworkMonitor",
                 "metadata": {"name": "label-key", "namespace": "%s"},
                 "spec": {"profile": "standard", %s}}""".formatted(ns.name(), selector);
        return cluster.kubectlWithInput(monitor, "apply", "--server-side", "--dry-run=server", "-f", "-");
    }
}
