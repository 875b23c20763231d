package dev.sonde.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalControlPlaneExtensionTest {

    static final class AVeryLongTestClassNameThatWouldNotFitIntoAKubernetesNamespaceName_Really {
    }

    @Test
    void namespaceNamesAreValidDnsLabels() {
        for (Class<?> type : new Class<?>[] {LocalControlPlaneExtensionTest.class,
                AVeryLongTestClassNameThatWouldNotFitIntoAKubernetesNamespaceName_Really.class}) {
            String name = LocalControlPlaneExtension.namespaceNameFor(type);
            assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63).startsWith("t-");
        }
    }

    @Test
    void namespaceNamesDifferBetweenRuns() {
        assertThat(LocalControlPlaneExtension.namespaceNameFor(getClass()))
                .isNotEqualTo(LocalControlPlaneExtension.namespaceNameFor(getClass()));
    }
}
