package dev.sonde.api.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpHeadersTest {

    @Test
    void headersRoundTripThroughTheCopysJson() {
        Map<String, String> headers = Map.of("Authorization", "Bearer abc.def", "x-api-key", "k\tey 1");
        String json = OtlpHeaders.toJson(headers);
        assertThat(json).isEqualTo("{\"Authorization\":\"Bearer abc.def\",\"x-api-key\":\"k\\tey 1\"}");
        assertThat(OtlpHeaders.fromJson(json)).isEqualTo(headers);
    }

    @Test
    void keysThatAreNoHeaderNamesAndValuesNoHeaderCarriesAreProblemsNamingTheKeyOnly() {
        assertThat(OtlpHeaders.problems(Map.of("Authorization", "Bearer t"))).isEmpty();
        assertThat(OtlpHeaders.problems(Map.of())).singleElement().asString().contains("no keys");
        assertThat(OtlpHeaders.problems(Map.of("api key", "v"))).singleElement().asString()
                .contains("'api key' is not a valid HTTP header name");
        assertThat(OtlpHeaders.problems(Map.of("x:y", "v"))).hasSize(1);
        assertThat(OtlpHeaders.problems(Map.of("Content-Type", "v"))).singleElement().asString()
                .contains("sets itself");
        assertThat(OtlpHeaders.problems(Map.of("grpc-timeout", "1S"))).hasSize(1);
        assertThat(OtlpHeaders.problems(Map.of("token", "s3cret\n"))).singleElement().asString()
                .contains("ends with a line break").doesNotContain("s3cret");
        assertThat(OtlpHeaders.problems(Map.of("token", "s3cr\u00e9t"))).singleElement().asString()
                .contains("printable ASCII").doesNotContain("s3cr");
        assertThat(OtlpHeaders.problems(Map.of("token", "a\u0000b"))).hasSize(1);
        assertThat(OtlpHeaders.problems(Map.of("token", " padded"))).hasSize(1);
        assertThat(OtlpHeaders.problems(Map.of("token", ""))).singleElement().asString().contains("empty");
        assertThat(OtlpHeaders.problems(Map.of("token", "x".repeat(OtlpHeaders.MAX_BYTES_PER_MONITOR)))).hasSize(1);
    }

    @Test
    void aDamagedCopyIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> OtlpHeaders.fromJson("{\"Authorization\": s3cret"))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("s3cret");
        assertThatThrownBy(() -> OtlpHeaders.fromJson("{\"bad key\":\"s3cret\"}"))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("s3cret");
    }
}
