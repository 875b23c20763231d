package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can break the Dockerfiles without a build noticing: Maven refuses a reactor whose modules are missing, so every
 * module of the parent pom must be copied in; the base images are build arguments defaulting to the public bases
 * (hack/images.sh builds the same files with local ones), and the runtime stage takes its jars only from the
 * {@code jars} stage, so {@code JARS=<image>} replaces the in-image Maven build; the local-images overlay uses the
 * references hack/images.sh builds.
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

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.operator", "Dockerfile.agent"})
    void baseImagesAndJarsAreBuildArguments(String dockerfile) throws Exception {
        String text = Files.readString(RepoFiles.path(dockerfile));
        String header = text.substring(0, text.indexOf("\nFROM "));
        assertThat(header).as(dockerfile + ": ARGs before the first FROM, with the public defaults")
                .contains("ARG BUILD_IMAGE=eclipse-temurin:25-jdk\n", "ARG RUNTIME_IMAGE=eclipse-temurin:25-jre\n",
                        "ARG JARS=build\n");
        if (dockerfile.equals("Dockerfile.agent")) {
            assertThat(header).contains("ARG BPF_IMAGE=debian:12\n");
            assertThat(text).contains("FROM ${BPF_IMAGE} AS bpf\n");
        }
        assertThat(text).contains("FROM ${BUILD_IMAGE} AS build\n", "FROM ${JARS} AS jars\n");
        String runtime = text.substring(text.lastIndexOf("\nFROM "));
        assertThat(runtime).as(dockerfile + ": the last stage is the runtime").startsWith("\nFROM ${RUNTIME_IMAGE}\n");
        List<String> copiesFrom = Pattern.compile("COPY (?:--chown=\\S+ )?--from=(\\S+)").matcher(runtime).results()
                .map(m -> m.group(1)).distinct().toList();
        assertThat(copiesFrom).as(dockerfile + ": the runtime stage copies from the jars stage only").containsExactly("jars");
    }

    @org.junit.jupiter.api.Test
    void theLocalImagesOverlayUsesTheImagesHackImagesBuilds() throws Exception {
        Process refs = new ProcessBuilder("bash", RepoFiles.path("hack/images.sh").toString(), "refs")
                .redirectErrorStream(true).start();
        List<String> lines = new String(refs.getInputStream().readAllBytes()).lines().toList();
        assertThat(refs.waitFor()).as("hack/images.sh refs: " + lines).isZero();
        String overlay = Files.readString(RepoFiles.path("config/overlays/local-images/kustomization.yaml"));
        String[] operator = lines.get(0).split(":");
        assertThat(overlay).as("operator image").contains("newName: " + operator[0] + "\n", "newTag: " + operator[1] + "\n");
        assertThat(overlay).as("agent image (SONDE_OPERATOR_AGENT_IMAGE)").contains("value: " + lines.get(1) + "\n");
    }

    @org.junit.jupiter.api.Test
    void theAgentImageRunsWithTheAgentsJvmOptions() throws Exception {
        String entrypoint = entrypoint("Dockerfile.agent");
        for (String option : javaOptions("AGENT_JAVA_OPTS")) {
            assertThat(entrypoint).as("Dockerfile.agent ENTRYPOINT").contains("\"" + option + "\"");
        }
    }

    @org.junit.jupiter.api.Test
    void theOperatorImageRunsWithTheOperatorsJvmOptionsBeforeJavaOptsAppend() throws Exception {
        String entrypoint = entrypoint("Dockerfile.operator");
        String fixed = entrypoint.substring(0, Math.max(0, entrypoint.indexOf("$JAVA_OPTS_APPEND")));
        assertThat(fixed).as("Dockerfile.operator ENTRYPOINT up to $JAVA_OPTS_APPEND").contains("exec java ");
        for (String option : javaOptions("OPERATOR_JAVA_OPTS")) {
            assertThat(fixed).as("Dockerfile.operator ENTRYPOINT before $JAVA_OPTS_APPEND").contains(" " + option + " ");
        }
        Matcher arenas = Pattern.compile("(?m)^OPERATOR_MALLOC_ARENA_MAX=(\\d+)$")
                .matcher(Files.readString(RepoFiles.path("hack/lib/common.sh")));
        assertThat(arenas.find()).as("OPERATOR_MALLOC_ARENA_MAX in hack/lib/common.sh").isTrue();
        assertThat(Files.readString(RepoFiles.path("Dockerfile.operator")))
                .as("Dockerfile.operator ENV").containsPattern("(?m)^ENV .*\\bMALLOC_ARENA_MAX=" + arenas.group(1) + "\\b");
    }

    /** The options of a bash array {@code NAME=(...)} in hack/lib/common.sh, which the scripts pass to java. */
    private static List<String> javaOptions(String name) throws Exception {
        Matcher options = Pattern.compile(name + "=\\(([^)]*)\\)")
                .matcher(Files.readString(RepoFiles.path("hack/lib/common.sh")));
        assertThat(options.find()).as(name + " in hack/lib/common.sh").isTrue();
        List<String> list = List.of(options.group(1).trim().split("\\s+"));
        assertThat(list).as(name).isNotEmpty();
        return list;
    }

    private static String entrypoint(String dockerfile) throws Exception {
        String text = Files.readString(RepoFiles.path(dockerfile)).replace("\\\n", " ");
        return text.lines().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no ENTRYPOINT in " + dockerfile));
    }
}
