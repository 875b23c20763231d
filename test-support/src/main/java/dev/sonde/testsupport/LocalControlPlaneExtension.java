package dev.sonde.testsupport;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts (or reuses) the local control plane once per test run and gives each test class a fresh
 * namespace, deleted after the class. See {@link LocalControlPlane}.
 */
public final class LocalControlPlaneExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(LocalControlPlaneExtension.class);
    /** Label on every namespace this extension creates, so leftovers can be found and removed. */
    public static final String TEST_NAMESPACE_LABEL = "sonde.dev/test-namespace";

    @Override
    public void beforeAll(ExtensionContext context) {
        ControlPlane controlPlane = controlPlane(context);
        String name = namespaceNameFor(context.getRequiredTestClass());
        controlPlane.client().namespaces().resource(new NamespaceBuilder()
                .withNewMetadata().withName(name).addToLabels(TEST_NAMESPACE_LABEL, "true").endMetadata()
                .build()).create();
        awaitReadyForPods(controlPlane.client(), name);
        context.getStore(STORE).put(TestNamespace.class, new TestNamespace(name));
    }

    /**
     * Pods are admitted only once the ServiceAccount controller has made the default account and the
     * API server's admission cache has seen it; a dry-run pod create tells when that is the case.
     */
    private static void awaitReadyForPods(KubernetesClient client, String namespace) {
        Pod probe = new PodBuilder().withNewMetadata().withName("admission-probe").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.invalid/none").endContainer().endSpec()
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                client.pods().inNamespace(namespace).resource(probe).dryRun().create();
                return;
            } catch (KubernetesClientException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("namespace " + namespace + " does not admit pods after 60s", e);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestNamespace namespace = context.getStore(STORE).remove(TestNamespace.class, TestNamespace.class);
        if (namespace != null && !"true".equals(System.getenv("SONDE_KEEP_NAMESPACES"))) {
            controlPlane(context).client().namespaces().withName(namespace.name()).delete();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == ControlPlane.class || type == KubernetesClient.class || type == TestNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == ControlPlane.class) {
            return controlPlane(context);
        }
        if (type == KubernetesClient.class) {
            return controlPlane(context).client();
        }
        TestNamespace namespace = context.getStore(STORE).get(TestNamespace.class, TestNamespace.class);
        if (namespace == null) {
            throw new ParameterResolutionException("TestNamespace is only available inside a @LocalControlPlane class");
        }
        return namespace;
    }

    /** One control plane per run: kept in the root store, which closes it when the run ends. */
    static ControlPlane controlPlane(ExtensionContext context) {
        return context.getRoot().getStore(STORE)
                .getOrComputeIfAbsent(ControlPlane.class, key -> ControlPlane.startOrReuse(), ControlPlane.class);
    }

    static String namespaceNameFor(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        return ("t-" + base + "-" + suffix).replaceAll("-+", "-");
    }
}
