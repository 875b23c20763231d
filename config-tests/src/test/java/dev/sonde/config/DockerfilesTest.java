package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Dockerfiles can't be built here (no Docker engine), so what can break them without anyone noticing is checked
 * here: Maven refuses a reactor whose modules are missing, so every module of the parent pom must be copied in.
 */
class DockerfilesTest {

    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.operator", "Dockerfile.agent"})
    void copiesEveryModuleOfTheReactor(String dockerfile) throws Exception {
        String text = Files.readString(RepoFiles.path(dockerfile));
        Matcher modules = MODULE.matcher(Files.readString(RepoFiles.path("pom.xml")));
        List<String> missing = modules.results().map(m -> m.group(1))
                .filter(module -> !text.contains("COPY " + module + " " + module)
                        && !text.contains("COPY " + module + "/pom.xml " + module + "/pom.xml"))
                .toList();
        assertThat(missing).as(dockerfile + " copies neither the module nor its pom.xml").isEmpty();
    }

    @org.junit.jupiter.api.Test
    void theAgentImageRunsWithTheAgentsJvmOptions() throws Exception {
        Matcher options = Pattern.compile("AGENT_JAVA_OPTS=\\(([^)]*)\\)")
                .matcher(Files.readString(RepoFiles.path("hack/lib/common.sh")));
        assertThat(options.find()).as("AGENT_JAVA_OPTS in hack/lib/common.sh").isTrue();
        String entrypoint = Files.readString(RepoFiles.path("Dockerfile.agent"));
        for (String option : options.group(1).trim().split("\\s+")) {
            assertThat(entrypoint).as("Dockerfile.agent ENTRYPOINT").contains("\"" + option + "\"");
        }
    }
}
