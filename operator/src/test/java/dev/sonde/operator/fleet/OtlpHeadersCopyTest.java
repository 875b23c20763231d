package dev.sonde.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonde.api.v1alpha1.ExportSpec;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import dev.sonde.api.v1alpha1.OtlpExportSpec;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import dev.sonde.api.v1alpha1.SecretReference;
import dev.sonde.operator.Fixtures;
import dev.sonde.operator.monitor.HeadersSecret;
import dev.sonde.operator.monitor.Reasons;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OtlpHeadersCopyTest {

    /** Two tenants whose Secrets share a name: each monitor gets the Secret of its own namespace. */
    private static final Map<String, Secret> SECRETS = Map.of(
            "team-a/otlp-headers", secret(Map.of("Authorization", "Bearer a-token")),
            "team-b/otlp-headers", secret(Map.of("Authorization", "Bearer b-token")),
            "team-a/broken", secret(Map.of("api key", "v")));

    @Test
    void eachMonitorGetsTheSecretOfItsOwnNamespace() {
        NetworkMonitor a = withHeaders(Fixtures.monitor("team-a", "web", "standard"), "otlp-headers");
        NetworkMonitor b = withHeaders(Fixtures.monitor("team-b", "web", "standard"), "otlp-headers");
        NetworkMonitor plain = Fixtures.monitor("team-c", "web", "standard");

        Map<String, String> data = OtlpHeadersCopy.data(List.of(a, b, plain), OtlpHeadersCopyTest::read, Map.of());

        assertThat(data).containsOnly(
                Map.entry("uid-team-a-web", "{\"Authorization\":\"Bearer a-token\"}"),
                Map.entry("uid-team-b-web", "{\"Authorization\":\"Bearer b-token\"}"));
    }

    @Test
    void anInvalidSecretKeepsTheLastValidCopyAndAMissingOneRemovesIt() {
        NetworkMonitor broken = withHeaders(Fixtures.monitor("team-a", "web", "standard"), "broken");
        NetworkMonitor missing = withHeaders(Fixtures.monitor("team-a", "api", "standard"), "nothing-here");
        Map<String, String> previous = Map.of("uid-team-a-web", "{\"Authorization\":\"Bearer old\"}",
                "uid-team-a-api", "{\"Authorization\":\"Bearer old\"}", "uid-gone", "{\"a\":\"b\"}");

        assertThat(OtlpHeadersCopy.data(List.of(broken, missing), OtlpHeadersCopyTest::read, previous))
                .containsOnly(Map.entry("uid-team-a-web", "{\"Authorization\":\"Bearer old\"}"));
        assertThat(OtlpHeadersCopy.data(List.of(broken), OtlpHeadersCopyTest::read, Map.of())).isEmpty();
    }

    @Test
    void judgingNamesTheReasonAndNeverTheValue() {
        assertThat(HeadersSecret.judge("s", null)).isInstanceOfSatisfying(HeadersSecret.Problem.class,
                p -> assertThat(p.reason()).isEqualTo(Reasons.HEADERS_SECRET_NOT_FOUND));
        HeadersSecret.Resolution invalid = HeadersSecret.judge("s",
                secret(Map.of("Authorization", "Bearer s3cret", "x api", "s3cret")));
        assertThat(invalid).isInstanceOfSatisfying(HeadersSecret.Problem.class, p -> {
            assertThat(p.reason()).isEqualTo(Reasons.INVALID_HEADERS_SECRET);
            assertThat(p.message()).contains("'x api'").doesNotContain("s3cret");
        });
        HeadersSecret.Resolution valid = HeadersSecret.judge("s", secret(Map.of("Authorization", "Bearer s3cret")));
        assertThat(valid).isEqualTo(new HeadersSecret.Valid(Map.of("Authorization", "Bearer s3cret")));
        assertThat(valid.toString()).doesNotContain("s3cret");
        Secret binary = new SecretBuilder().withNewMetadata().withName("s").endMetadata()
                .addToData("token", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0x00})).build();
        assertThat(HeadersSecret.judge("s", binary)).isInstanceOfSatisfying(HeadersSecret.Problem.class,
                p -> assertThat(p.message()).contains("not UTF-8"));
    }

    private static Optional<HeadersSecret.Resolution> read(NetworkMonitor monitor) {
        // what HeadersSecret.read does against the API server: the name, in the monitor's own namespace
        return HeadersSecret.referenced(monitor).map(name -> HeadersSecret.judge(name,
                SECRETS.get(monitor.getMetadata().getNamespace() + "/" + name)));
    }

    private static NetworkMonitor withHeaders(NetworkMonitor monitor, String secret) {
        OtlpExportSpec otlp = new OtlpExportSpec("http://collector:4317", OtlpProtocol.GRPC);
        otlp.setHeadersSecretRef(new SecretReference(secret));
        monitor.getSpec().setExport(new ExportSpec(otlp, null));
        return monitor;
    }

    private static Secret secret(Map<String, String> values) {
        SecretBuilder secret = new SecretBuilder().withNewMetadata().withName("s").endMetadata();
        values.forEach((k, v) -> secret.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return secret.build();
    }
}
