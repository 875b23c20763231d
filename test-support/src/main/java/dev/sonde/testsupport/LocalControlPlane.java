package dev.sonde.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the real local control plane ({@code hack/cluster.sh}).
 *
 * <p>The control plane is started once per test run, or reused when {@code KUBECONFIG} names one
 * or {@code hack/cluster.sh status} finds one running. Test methods and lifecycle methods can take
 * {@link ControlPlane}, an admin {@link io.fabric8.kubernetes.client.KubernetesClient} and the
 * class's fresh {@link TestNamespace} as parameters.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LocalControlPlaneExtension.class)
public @interface LocalControlPlane {
}
