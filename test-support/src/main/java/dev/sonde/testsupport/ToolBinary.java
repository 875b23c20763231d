package dev.sonde.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** A pinned tool that hack/test.sh builds and exports as an environment variable naming its path. */
final class ToolBinary {
    private ToolBinary() {
    }

    /**
     * The executable {@code env} names; a clear error when it is unset or not executable.
     *
     * @param what what the binary is, for the message ("helm", "the test OpenTelemetry Collector")
     * @param ensureFunction the function of hack/lib/common.sh that builds it and prints its path
     */
    static Path fromEnv(String env, String what, String ensureFunction) {
        String value = System.getenv(env);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(env + " is not set: it names " + what + ", which hack/test.sh builds "
                    + "and exports (" + ensureFunction + " in hack/lib/common.sh prints its path)");
        }
        Path binary = Path.of(value);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(env + "=" + value + " is not an executable file: rebuild it with "
                    + ensureFunction + " from hack/lib/common.sh (hack/test.sh does)");
        }
        return binary;
    }
}
