package dev.sonde.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.dajudge.kindcontainer.KindContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.MountableFile;

/**
 * End to end in a real cluster: builds both images from the Dockerfiles, loads them into a Kind node, applies
 * config/default and waits for the operator Deployment to become Available (its readiness probe passed).
 * Needs a Docker engine and the docker and kubectl CLIs; without an engine it is skipped and says so.
 */
class KindDeploymentIT {

    static final String OPERATOR_IMAGE = "ghcr.io/sonde-dev/sonde-operator:0.1.0";
    static final String AGENT_IMAGE = "ghcr.io/sonde-dev/sonde-agent:0.1.0";

    /** In the test, not in @BeforeAll, so that the reports count it as skipped, with the reason. */
    static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            String reason = "Kind e2e NOT RUN: no Docker engine (Testcontainers found none; start Docker or set DOCKER_HOST)";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
    }

    @Test
    void operatorBecomesAvailable() throws Exception {
        requireDocker();
        Path root = RepoFiles.root();
        run(root, "docker", "build", "-f", "Dockerfile.operator", "-t", OPERATOR_IMAGE, ".");
        run(root, "docker", "build", "-f", "Dockerfile.agent", "-t", AGENT_IMAGE, ".");

        try (KindContainer<?> kind = new KindContainer<>()) {
            kind.start();
            for (String image : List.of(OPERATOR_IMAGE, AGENT_IMAGE)) {
                Path archive = Files.createTempFile("sonde-image", ".tar");
                run(root, "docker", "save", "-o", archive.toString(), image);
                kind.copyFileToContainer(MountableFile.forHostPath(archive), "/tmp/image.tar");
                assertThat(kind.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar")
                        .getExitCode()).as("import " + image).isZero();
                Files.delete(archive);
            }
            Path kubeconfig = Files.createTempFile("kind", ".kubeconfig");
            Files.writeString(kubeconfig, kind.getKubeconfig(), StandardCharsets.UTF_8);

            run(root, "kubectl", "--kubeconfig", kubeconfig.toString(), "apply", "--server-side", "-k", "config/default");
            run(root, "kubectl", "--kubeconfig", kubeconfig.toString(), "-n", Sonde.NAMESPACE, "wait",
                    "--for=condition=Available", "deployment/" + Sonde.OPERATOR, "--timeout=300s");
            Files.delete(kubeconfig);
        }
    }

    /** Runs a command in the repository root, its output shown in the test log; fails on a non-zero exit. */
    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
    }
}
