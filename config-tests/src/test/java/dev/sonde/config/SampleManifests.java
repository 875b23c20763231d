package dev.sonde.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The documents of config/samples, each with the file it came from. */
record SampleManifests(List<Sample> all) {

    record Sample(Path file, ObjectNode manifest) {
        String kind() {
            return manifest.path("kind").asText();
        }

        String name() {
            return manifest.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return file.getFileName() + " (" + kind() + " " + name() + ")";
        }
    }

    static SampleManifests load() {
        List<Sample> samples = new ArrayList<>();
        for (Path file : RepoFiles.yamlFiles("config/samples")) {
            for (ObjectNode doc : RepoFiles.documents(file)) {
                samples.add(new Sample(file, doc));
            }
        }
        return new SampleManifests(samples);
    }

    List<Sample> ofKind(String kind) {
        return all.stream().filter(s -> s.kind().equals(kind)).toList();
    }
}
