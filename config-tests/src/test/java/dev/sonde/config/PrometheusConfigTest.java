package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sonde.testsupport.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/prometheus/ as Prometheus' own tool reads it: the alert rules pass their unit tests ({@code promtool test
 * rules}, series written to look like real scrapes), the scrape jobs make a valid configuration, and the Prometheus
 * Operator objects carry exactly those rules and target labels. PrometheusOperatorObjectsIT applies them to the API
 * server; DemoFlowIT runs the rules and jobs on a real Prometheus.
 */
class PrometheusConfigTest {

    private static final String POD_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    private static final Path DIR = RepoFiles.path("config/prometheus");
    private static final Path RULES = DIR.resolve("rules/sonde.rules.yaml");

    @Test
    void alertRulesPassTheirPromtoolUnitTests() {
        Promtool.Check check = Promtool.run(DIR.resolve("rules"), "test", "rules", "sonde.rules.test.yaml");
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.problems()).as(check.toString()).contains("  SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestARunbookEntryAndASeverity() throws IOException {
        String tests = Files.readString(DIR.resolve("rules/sonde.rules.test.yaml"));
        String runbook = Files.readString(RepoFiles.path("docs/runbook.md"));
        List<JsonNode> alerts = alerts(RepoFiles.documents(RULES).getFirst().path("groups"));
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            assertThat(tests).as("a promtool test of " + name).contains("alertname: " + name + "\n");
            assertThat(runbook).as("a runbook entry for " + name).contains("\n## " + name + "\n");
            assertThat(alert.path("annotations").path("runbook_url").asText())
                    .endsWith("docs/runbook.md#" + name.toLowerCase());
            assertThat(alert.path("labels").path("severity").asText()).isIn("critical", "warning", "info");
        }
    }

    @Test
    void thePrometheusRuleHasExactlyTheRuleFilesGroups() {
        JsonNode file = RepoFiles.documents(RULES).getFirst();
        ObjectNode rule = RepoFiles.documents(DIR.resolve("prometheusrule.yaml")).getFirst();
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(rule.path("spec").path("groups")).as("prometheusrule.yaml spec.groups vs rules/sonde.rules.yaml")
                .isEqualTo(file.path("groups"));
    }

    /**
     * The jobs as a user pastes them, with the rules, in a prometheus.yml: {@code promtool check config} is clean.
     * promtool checks that the scrape token file exists: the in-pod ServiceAccount token path is moved to a file here.
     */
    @Test
    void theScrapeJobsAndRulesMakeAValidConfiguration(@TempDir Path dir) throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "a-token");
        String jobs = Files.readString(DIR.resolve("scrape-configs.yaml"));
        assertThat(jobs).as("both jobs send the Prometheus ServiceAccount's token")
                .contains("credentials_file: " + POD_TOKEN);
        Path scrapeConfigs = Files.writeString(dir.resolve("scrape-configs.yaml"),
                jobs.replace(POD_TOKEN, token.toString()));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 15s
                rule_files: [%s]
                scrape_config_files: [%s]
                """.formatted(RULES, scrapeConfigs));
        Promtool.Check check = Promtool.run(dir, "check", "config", config.toString());
        assertThat(check.exitCode()).as(check.toString()).isZero();
        int rules = alerts(RepoFiles.documents(RULES).getFirst().path("groups")).size();
        assertThat(String.join("\n", check.problems())).contains("SUCCESS: " + rules + " rules found");
    }

    /** Both endpoints need TLS and a token: every way to scrape them that we ship says so. */
    @Test
    void everyShippedScrapeUsesHttpsAndAToken() throws IOException {
        JsonNode jobs = RepoFiles.documents(DIR.resolve("scrape-configs.yaml")).getFirst().path("scrape_configs");
        assertThat(jobs).hasSize(2).allSatisfy(job -> {
            assertThat(job.path("scheme").asText()).isEqualTo("https");
            assertThat(job.path("tls_config").path("insecure_skip_verify").asBoolean()).isTrue();
            assertThat(job.path("authorization").path("credentials_file").asText()).isEqualTo(POD_TOKEN);
            assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
        });
        JsonNode agent = RepoFiles.documents(DIR.resolve("podmonitor-agent.yaml")).getFirst()
                .path("spec").path("podMetricsEndpoints").get(0);
        JsonNode operator = RepoFiles.documents(DIR.resolve("servicemonitor-operator.yaml")).getFirst()
                .path("spec").path("endpoints").get(0);
        List<ObjectNode> scraper = RepoFiles.documents(DIR.resolve("metrics-scraper.yaml"));
        String tokenSecret = scraper.stream().filter(d -> d.path("kind").asText().equals("Secret")).findFirst()
                .orElseThrow().path("metadata").path("name").asText();
        assertThat(List.of(agent, operator)).allSatisfy(endpoint -> {
            assertThat(endpoint.path("scheme").asText()).isEqualTo("https");
            assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
            assertThat(endpoint.path("tlsConfig").path("insecureSkipVerify").asBoolean()).isTrue();
            assertThat(endpoint.path("authorization").path("credentials").path("name").asText()).isEqualTo(tokenSecret);
        });
        assertThat(scraper).anySatisfy(d -> {
            assertThat(d.path("kind").asText()).isEqualTo("ClusterRoleBinding");
            assertThat(d.path("roleRef").path("name").asText()).isEqualTo("sonde-metrics-reader");
        });
    }

    /** The PodMonitor and ServiceMonitor give the same job names as the plain scrape jobs, which the rules use. */
    @Test
    void podMonitorAndServiceMonitorSetTheJobsTheRulesUse() throws IOException {
        List<String> jobs = RepoFiles.documents(DIR.resolve("scrape-configs.yaml")).getFirst().path("scrape_configs")
                .findValuesAsText("job_name");
        assertThat(jobs).containsExactly(Sonde.AGENT, Sonde.OPERATOR);
        JsonNode podMonitor = RepoFiles.documents(DIR.resolve("podmonitor-agent.yaml")).getFirst();
        JsonNode serviceMonitor = RepoFiles.documents(DIR.resolve("servicemonitor-operator.yaml")).getFirst();
        assertThat(jobOf(podMonitor.path("spec").path("podMetricsEndpoints").get(0))).isEqualTo(Sonde.AGENT);
        assertThat(jobOf(serviceMonitor.path("spec").path("endpoints").get(0))).isEqualTo(Sonde.OPERATOR);

        Matcher job = Pattern.compile("job=~?\"([^\"]+)\"").matcher(Files.readString(RULES));
        List<String> used = new ArrayList<>();
        while (job.find()) {
            used.add(job.group(1));
        }
        assertThat(used).isNotEmpty().allMatch(jobs::contains);
    }

    private static String jobOf(JsonNode endpoint) {
        for (JsonNode relabel : endpoint.path("relabelings")) {
            if ("job".equals(relabel.path("targetLabel").asText())) {
                return relabel.path("replacement").asText();
            }
        }
        return "(none)";
    }

    private static List<JsonNode> alerts(JsonNode groups) {
        List<JsonNode> alerts = new ArrayList<>();
        groups.forEach(g -> g.path("rules").forEach(r -> {
            if (r.has("alert")) {
                alerts.add(r);
            }
        }));
        return alerts;
    }
}
