package dev.sonde.api.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed under crds/ must be exactly what the API classes generate. With
 * {@code -Dsonde.updateCrds=true} (hack/update-crds.sh) the test writes them instead.
 */
class CrdsUpToDateTest {

    static Path crdsDir() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return module.resolve("../crds").normalize();
    }

    @Test
    void committedCrdsAreWhatTheClassesGenerate() throws IOException {
        Map<String, String> generated = CrdGeneration.generate();
        assertThat(generated).containsOnlyKeys("agentreports.sonde.dev.yaml", "networkmonitors.sonde.dev.yaml",
                "probeprofiles.sonde.dev.yaml");
        Path dir = crdsDir();

        if (Boolean.getBoolean("sonde.updateCrds")) {
            Files.createDirectories(dir);
            for (Path stale : committed(dir).keySet().stream().map(dir::resolve).toList()) {
                Files.delete(stale);
            }
            for (Map.Entry<String, String> file : generated.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
            return;
        }

        Map<String, String> committed = committed(dir);
        TreeSet<String> differing = new TreeSet<>(generated.keySet());
        differing.addAll(committed.keySet());
        differing.removeIf(name -> generated.get(name) != null && generated.get(name).equals(committed.get(name)));
        if (!differing.isEmpty()) {
            fail("CRDs in crds/ are stale: run hack/update-crds.sh (differing: " + differing + ")");
        }
    }

    private static Map<String, String> committed(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : paths.filter(p -> p.getFileName().toString().endsWith(".yaml")).toList()) {
                files.put(path.getFileName().toString(), Files.readString(path, StandardCharsets.UTF_8).replace("\r\n", "\n"));
            }
        }
        return files;
    }
}
