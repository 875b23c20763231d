package dev.sonde.agent.probe;

import dev.sonde.agent.bpf.KernelBtf;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's packet drop reasons ({@code enum skb_drop_reason}) by number, named as users write them: without the
 * {@code SKB_DROP_REASON_} prefix ({@code NETFILTER_DROP}). Numbers differ between kernels; names are the API.
 */
public final class DropReasons {
    private static final Logger LOG = LoggerFactory.getLogger(DropReasons.class);
    private static final String PREFIX = "SKB_DROP_REASON_";

    private final Map<Integer, String> names;

    /** @param kernelNames number to the enum's name, with or without the prefix */
    public DropReasons(Map<Integer, String> kernelNames) {
        Map<Integer, String> stripped = new HashMap<>();
        kernelNames.forEach((number, name) ->
                stripped.put(number, name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name));
        this.names = Map.copyOf(stripped);
    }

    /** From the running kernel's BTF; without BTF, no names (metrics then carry the numbers). */
    public static DropReasons ofRunningKernel() {
        try (KernelBtf btf = KernelBtf.loadVmlinux()) {
            return new DropReasons(btf.enumValues("skb_drop_reason"));
        } catch (RuntimeException e) {
            LOG.info("no names for packet drop reasons ({}); publishing their numbers", e.getMessage());
            return new DropReasons(Map.of());
        }
    }

    /** The reason's name, or its number when this kernel's BTF does not name it. */
    public String name(int number) {
        String name = names.get(number);
        return name == null ? Integer.toString(number) : name;
    }

    /** The numbers of the named reasons on this kernel; names it does not have match nothing. */
    public Set<Integer> numbersOf(Collection<String> reasons) {
        Set<String> wanted = Set.copyOf(reasons);
        Set<Integer> numbers = new HashSet<>();
        names.forEach((number, name) -> {
            if (wanted.contains(name)) {
                numbers.add(number);
            }
        });
        return Set.copyOf(numbers);
    }
}
