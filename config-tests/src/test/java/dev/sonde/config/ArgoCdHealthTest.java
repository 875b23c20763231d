package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Argo CD health checks in config/argocd/sonde.dev/<Kind>/health.lua against their fixtures,
 * in Argo CD's own layout (health_test.yaml listing testdata/*.yaml with the expected healthStatus),
 * run by the real lua5.4 interpreter.
 */
class ArgoCdHealthTest {

    static final List<String> KINDS = List.of("NetworkMonitor", "ProbeProfile");

    static Path kindDir(String kind) {
        return RepoFiles.path("config/argocd/sonde.dev/" + kind);
    }

    static Stream<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : KINDS) {
            ObjectNode tests = RepoFiles.documents(kindDir(kind).resolve("health_test.yaml")).getFirst();
            for (JsonNode test : tests.path("tests")) {
                out.add(Arguments.of(kind + " " + test.path("inputPath").asText(), kind, test));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureGivesItsExpectedHealth(String label, String kind, JsonNode test) {
        Path input = kindDir(kind).resolve(test.path("inputPath").asText());
        ObjectNode obj = RepoFiles.documents(input).getFirst();
        assertThat(obj.path("kind").asText()).isEqualTo(kind);

        LuaHealthCheck.Result result = new LuaHealthCheck(kindDir(kind).resolve("health.lua")).evaluate(obj);

        assertThat(result.status()).isIn(LuaHealthCheck.statuses());
        assertThat(result).isEqualTo(new LuaHealthCheck.Result(
                test.path("healthStatus").path("status").asText(), test.path("healthStatus").path("message").asText()));
    }

    /** Every fixture file is used, and every status the check can give is covered for each kind. */
    @ParameterizedTest
    @ValueSource(strings = {"NetworkMonitor", "ProbeProfile"})
    void fixturesCoverEveryOutcome(String kind) {
        ObjectNode tests = RepoFiles.documents(kindDir(kind).resolve("health_test.yaml")).getFirst();
        List<String> used = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        tests.path("tests").forEach(t -> {
            used.add(t.path("inputPath").asText());
            statuses.add(t.path("healthStatus").path("status").asText());
        });
        List<String> files = RepoFiles.yamlFiles("config/argocd/sonde.dev/" + kind + "/testdata").stream()
                .map(p -> "testdata/" + p.getFileName()).toList();
        assertThat(used).containsExactlyInAnyOrderElementsOf(files);
        assertThat(statuses).contains("Healthy", "Degraded", "Progressing");
        if (kind.equals("NetworkMonitor")) {
            assertThat(statuses).as("spec.paused").contains("Suspended");
        }
    }

    /** The converter and harness themselves: a check that can't see the object would pass nothing above. */
    @Test
    void harnessPassesNestedValuesAndUtf8Through() {
        Path script = RepoFiles.path("config/argocd/sonde.dev/NetworkMonitor/health.lua");
        JsonNode obj = RepoFiles.parseJson("""
                {"metadata": {"generation": 2, "annotations": null},
                 "status": {"observedGeneration": 2, "conditions": [
                   {"type": "Other", "status": "False"},
                   {"type": "Ready", "status": "True", "message": "p99 \\"850µs\\"\\\\ ok\\nline 2"}]}}""");
        assertThat(new LuaHealthCheck(script).evaluate(obj))
                .isEqualTo(new LuaHealthCheck.Result("Healthy", "p99 \"850µs\"\\ ok\nline 2"));
    }
}
