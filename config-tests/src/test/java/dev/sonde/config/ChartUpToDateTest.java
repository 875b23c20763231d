package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's copies of crds/, config/rbac/ and config/prometheus/ (charts/sonde/crds, templates/rbac,
 * templates/prometheus) are what hack/update-chart.sh makes of them now: the script writes a fresh copy into a
 * temporary directory and every file must be equal, none missing, none extra.
 */
class ChartUpToDateTest {

    private static final List<String> GENERATED = List.of("crds", "templates/rbac", "templates/prometheus");

    @Test
    void theChartsCopiesAreCurrent(@TempDir Path fresh) throws Exception {
        Process script = new ProcessBuilder("bash", "hack/update-chart.sh", fresh.toString())
                .directory(RepoFiles.root().toFile()).redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes());
        assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).as(output).isZero();
        Path chart = RepoFiles.path("charts/sonde");
        for (String dir : GENERATED) {
            assertThat(names(chart.resolve(dir))).as("charts/sonde/%s is stale: run hack/update-chart.sh", dir)
                    .isEqualTo(names(fresh.resolve(dir)));
            for (String name : names(fresh.resolve(dir))) {
                assertThat(Files.readString(chart.resolve(dir).resolve(name)))
                        .as("charts/sonde/%s/%s is stale: run hack/update-chart.sh", dir, name)
                        .isEqualTo(Files.readString(fresh.resolve(dir).resolve(name)));
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
