package dev.sonde.agent.probe;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's kernel fixture: a {@link KernelLab} (cgroups, network namespaces, load processes) and
 * {@link KernelProbes} loaded with some probes attached, all torn down after the class.
 *
 * <pre>{@code @RegisterExtension static final AttachedProbes kernel = new AttachedProbes(Probe.TCP_RESETS);}</pre>
 */
final class AttachedProbes implements BeforeAllCallback, AfterAllCallback {

    private final List<Probe> attach;
    private final UnaryOperator<KernelProbes.Config> config;
    private KernelLab lab;
    private KernelProbes probes;

    AttachedProbes(Probe... attach) {
        this(UnaryOperator.identity(), attach);
    }

    private AttachedProbes(UnaryOperator<KernelProbes.Config> config, Probe... attach) {
        this.attach = List.of(attach);
        this.config = config;
    }

    /** The same probes, loaded with a config adjusted from the defaults. */
    AttachedProbes withConfig(UnaryOperator<KernelProbes.Config> adjust) {
        return new AttachedProbes(adjust, attach.toArray(Probe[]::new));
    }

    KernelLab lab() {
        return lab;
    }

    KernelProbes probes() {
        return probes;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        lab = new KernelLab();
        probes = KernelProbes.load(config.apply(KernelProbes.Config.defaults()), KernelCapabilities.detect());
        attach.forEach(probes::attach);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (probes != null) {
                probes.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }
}
