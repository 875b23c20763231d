package dev.sonde.testsupport;

/** The namespace a test class owns: created before its first test, deleted after its last. */
public record TestNamespace(String name) {
    @Override
    public String toString() {
        return name;
    }
}
