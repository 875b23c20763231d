package dev.sonde.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pinned Helm ({@code hack/tools/helm}), for charts/sonde: {@code hack/test.sh} builds it with {@code ensure_helm}
 * from {@code hack/lib/common.sh} and passes its path in {@code SONDE_HELM}.
 */
public final class Helm {

    /** The environment variable that names the helm binary. */
    public static final String BINARY_ENV = "SONDE_HELM";

    private Helm() {
    }

    /** What helm printed (stdout and stderr apart) and its exit code. */
    public record Result(int exitCode, String stdout, String stderr) {

        public String orThrow() {
            if (exitCode != 0) {
                throw new AssertionError("helm exited " + exitCode + ":\n" + stderr + stdout);
            }
            return stdout;
        }
    }

    /** Runs helm with these arguments in {@code dir}, with extra environment (e.g. KUBECONFIG). */
    public static Result run(Path dir, Map<String, String> env, long timeoutSeconds, String... args) {
        try {
            List<String> command = new ArrayList<>(List.of(binary().toString()));
            command.addAll(List.of(args));
            Path out = Files.createTempFile("helm", ".out");
            Path err = Files.createTempFile("helm", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                // Helm's own state (repositories, cache) under the build's temp dir, never the user's home
                Path home = Path.of(System.getProperty("java.io.tmpdir"), "sonde-helm-home");
                builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
                builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
                builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
                builder.environment().putAll(env);
                Process process = builder.start();
                process.getOutputStream().close();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish in "
                            + timeoutSeconds + "s");
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path binary() {
        return ToolBinary.fromEnv(BINARY_ENV, "helm", "ensure_helm");
    }
}
