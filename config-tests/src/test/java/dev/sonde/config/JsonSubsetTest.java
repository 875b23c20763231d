package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The read-back comparison of SamplesIT must notice a changed, missing or retyped field. */
class JsonSubsetTest {

    private static final String EXPECTED = """
            {"interval": "15s", "probes": [{"name": "dns", "dns": {"ports": [53]}}], "health": {"dropRate": {"critical": 10}}}""";

    @Test
    void extraFieldsAndEqualNumbersInAnotherFormAreFine() {
        assertThat(JsonSubset.differences(RepoFiles.parseJson(EXPECTED), RepoFiles.parseJson("""
                {"interval": "15s", "probes": [{"name": "dns", "dns": {"ports": [53]}}],
                 "health": {"dropRate": {"critical": 10.0}}, "extra": true}"""))).isEmpty();
    }

    @Test
    void reportsEachDifference() {
        assertThat(JsonSubset.differences(RepoFiles.parseJson(EXPECTED), RepoFiles.parseJson("""
                {"interval": 15, "probes": [{"name": "dns", "dns": {"ports": [53, 5353]}}], "health": {}}""")))
                .containsExactlyInAnyOrder(
                        ".interval: expected \"15s\", got 15",
                        ".probes[0].dns.ports: expected [53], got [53,5353]",
                        ".health.dropRate: missing, expected {\"critical\":10}");
    }
}
