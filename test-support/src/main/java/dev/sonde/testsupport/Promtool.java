package dev.sonde.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus project's own linter for an exposition: {@code promtool check metrics}, the check a user runs
 * on a scrape (HELP text, counter {@code _total}, base units, reserved {@code le}/{@code quantile} labels...).
 *
 * <p>The binary is the pinned build of {@code hack/tools/promtool}; {@code hack/test.sh} builds it with
 * {@code ensure_promtool} from {@code hack/lib/common.sh} and passes its path in {@code SONDE_PROMTOOL}.
 */
public final class Promtool {

    /** The environment variable that names the promtool binary. */
    public static final String BINARY_ENV = "SONDE_PROMTOOL";

    private Promtool() {
    }

    /**
     * What {@code promtool check metrics} said about an exposition.
     *
     * @param exitCode 0 when clean, 3 for lint problems, 1 when the text does not parse
     * @param problems its output, one line per problem ({@code metric_name text})
     */
    public record Check(int exitCode, List<String> problems) {

        /** Exit 0 and nothing printed. */
        public boolean clean() {
            return exitCode == 0 && problems.isEmpty();
        }

        @Override
        public String toString() {
            return "promtool check metrics exited " + exitCode + " with " + problems.size() + " line(s):\n"
                    + String.join("\n", problems);
        }
    }

    /**
     * Pipes the Prometheus text into {@code promtool check metrics}.
     *
     * @throws IllegalStateException if {@code SONDE_PROMTOOL} is unset or not executable, or promtool hangs
     */
    public static Check checkMetrics(String exposition) {
        try {
            Process process = new ProcessBuilder(binary().toString(), "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool check metrics did not finish in 30s");
            }
            return new Check(process.exitValue(), output.lines().filter(l -> !l.isBlank()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs promtool with these arguments in {@code dir}, e.g. {@code test rules sonde.rules.test.yaml}; its exit code
     * and combined output.
     *
     * @throws IllegalStateException if {@code SONDE_PROMTOOL} is unset or not executable, or promtool hangs
     */
    public static Check run(Path dir, String... args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of(binary().toString()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60s");
            }
            return new Check(process.exitValue(), output.lines().filter(l -> !l.isBlank()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path binary() {
        return ToolBinary.fromEnv(BINARY_ENV, "promtool", "ensure_promtool");
    }
}
