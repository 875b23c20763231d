package dev.sonde.testsupport;

/** What a {@code kubectl} invocation printed and how it exited. */
public record KubectlResult(int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns stdout, or throws with both streams when kubectl failed. */
    public String orThrow() {
        if (!succeeded()) {
            throw new IllegalStateException("kubectl exited " + exitCode + ": " + stderr.strip() + "\n" + stdout.strip());
        }
        return stdout;
    }
}
