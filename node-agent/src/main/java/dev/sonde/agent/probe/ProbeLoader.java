package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.BpfException;
import dev.sonde.agent.bpf.BpfObject;
import dev.sonde.agent.bpf.VerifierRejectedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads sonde.bpf.o with the programs of every probe the kernel supports, the knobs set and the maps sized from
 * the {@link KernelProbes.Config}. A probe whose program the verifier rejects becomes {@code FAILED} with the
 * log's last lines and the object is loaded again without it.
 */
final class ProbeLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeLoader.class);
    private static final String OBJECT_RESOURCE = "/bpf/sonde.bpf.o";

    private ProbeLoader() {
    }

    /** The loaded object and each probe's state: detached when loaded, else why not. */
    record Loaded(BpfObject object, Map<Probe, ProbeAttachment> states) {
    }

    /** Throws only when nothing at all can be loaded. */
    static Loaded load(KernelProbes.Config config, KernelCapabilities caps) {
        Map<Probe, ProbeAttachment> states = new EnumMap<>(Probe.class);
        Set<Probe> wanted = EnumSet.noneOf(Probe.class);
        for (Probe p : Probe.values()) {
            ProbeAttachment s = caps.support(p);
            states.put(p, s);
            if (s.usable()) {
                wanted.add(p);
            }
        }
        if (wanted.isEmpty()) {
            throw new BpfException("no probe is supported on this kernel: " + states, 0);
        }
        byte[] image = config.objectFile() == null ? bundledObject() : null;
        while (true) {
            BpfObject object = image != null ? BpfObject.open(image, "sonde") : BpfObject.open(config.objectFile());
            try {
                configure(object, config, wanted);
                object.load();
                LOG.info("loaded probes {}", wanted);
                return new Loaded(object, states);
            } catch (VerifierRejectedException e) {
                object.close();
                // a shared program fails every probe with a part in it
                Set<Probe> culprits = probesOf(e.program());
                if (!wanted.removeAll(culprits)) {
                    throw e;
                }
                for (Probe culprit : culprits) {
                    LOG.warn("probe {} failed to load: {}", culprit.contractName(), e.getMessage());
                    states.put(culprit, ProbeAttachment.failed(ProbeAttachment.VERIFIER_REJECTED,
                            "verifier rejected " + e.program() + ": " + String.join("\n", e.logTail())));
                }
                if (wanted.isEmpty()) {
                    throw e;
                }
            } catch (RuntimeException e) {
                object.close();
                throw e;
            }
        }
    }

    private static void configure(BpfObject object, KernelProbes.Config config, Set<Probe> wanted) {
        Set<String> programs = new HashSet<>();
        wanted.forEach(p -> p.hooks().forEach(h -> programs.add(h.program())));
        for (Probe p : Probe.values()) {
            for (Probe.Hook h : p.hooks()) {
                object.setAutoload(h.program(), programs.contains(h.program()));
            }
        }
        object.setRodata(KernelAbi.KNOB_NODE_LEVEL_EVENTS, config.nodeLevelEvents() ? 1 : 0);
        object.setRodata(KernelAbi.KNOB_EPHEMERAL_PORT_MIN, EphemeralPorts.lowest());
        object.setMaxEntries(KernelAbi.SELECTED_CGROUPS, config.maxSelectedCgroups());
        object.setMaxEntries(KernelAbi.TRAFFIC, config.maxSelectedCgroups());
        object.setMaxEntries(KernelAbi.METRICS, config.maxMetricEntries());
        object.setMaxEntries(KernelAbi.DNS_PORTS,
                config.maxSelectedCgroups() * KernelProbes.Config.MAX_DNS_PORTS_PER_CGROUP);
        object.setMaxEntries(KernelAbi.FLOW_BUDGET, config.maxSelectedCgroups());
        object.setMaxEntries(KernelAbi.FLOWS, config.maxFlows());
    }

    private static Set<Probe> probesOf(String program) {
        Set<Probe> out = EnumSet.noneOf(Probe.class);
        for (Probe p : Probe.values()) {
            for (Probe.Hook h : p.hooks()) {
                if (h.program().equals(program)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** sonde.bpf.o as the agent jar carries it. */
    private static byte[] bundledObject() {
        try (InputStream in = ProbeLoader.class.getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new BpfException(OBJECT_RESOURCE + " missing from the classpath (run the Maven build)", 0);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + OBJECT_RESOURCE, e);
        }
    }
}
