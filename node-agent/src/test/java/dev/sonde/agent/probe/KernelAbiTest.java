package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.sonde.agent.bpf.KernelBtf;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** KernelAbi mirrors bpf/include/sonde.h: enum constants, histogram size and struct layouts agree. */
class KernelAbiTest {

    @Test
    void javaMirrorMatchesSharedHeader() throws IOException, IllegalAccessException {
        String header = Files.readString(Path.of(System.getProperty("sonde.bpf.source"), "include", "sonde.h"));
        Map<String, Integer> c = new HashMap<>();
        Matcher m = Pattern.compile("SONDE_([A-Z_]+) = (\\d+)").matcher(header);
        while (m.find()) {
            c.put(m.group(1), Integer.valueOf(m.group(2)));
        }
        Matcher buckets = Pattern.compile("#define SONDE_HIST_BUCKETS (\\d+)").matcher(header);
        assertThat(buckets.find()).isTrue();
        assertThat(KernelAbi.HIST_BUCKETS).isEqualTo(Integer.parseInt(buckets.group(1)))
                .isEqualTo(KernelHistogram.BUCKETS);

        Map<String, Integer> java = new HashMap<>();
        for (Field f : KernelAbi.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !f.getName().equals("HIST_BUCKETS")
                    && !f.getName().startsWith("METRIC_KEY_") && !f.getName().startsWith("METRIC_VALUE_")
                    && !f.getName().startsWith("DNS_KEY_") && !f.getName().startsWith("DNS_PORT_KEY_") && !f.getName().startsWith("TRAFFIC_")
                    && !f.getName().startsWith("FLOW_KEY_") && !f.getName().startsWith("FLOW_VALUE_")
                    && !f.getName().startsWith("FLOW_BUDGET_")
                    && !f.getName().startsWith("IPPROTO_")) {
                f.setAccessible(true);
                java.put(f.getName(), f.getInt(null));
            }
        }
        assertThat(java).isEqualTo(c);
    }

    /** Struct layouts from the BTF of the object the build produced (target/classes/bpf/sonde.bpf.o). */
    @Test
    void javaOffsetsMatchObjectBtf() {
        Path object = Path.of(System.getProperty("sonde.bpf.object"));
        try (KernelBtf btf = KernelBtf.parse(object)) {
            KernelBtf.StructLayout key = btf.struct("metric_key");
            assertThat(key.size()).isEqualTo(KernelAbi.METRIC_KEY_SIZE);
            assertThat(key.offsets()).containsExactly(entry("cgroup_id", KernelAbi.METRIC_KEY_CGROUP_ID),
                    entry("metric", KernelAbi.METRIC_KEY_METRIC), entry("sub", KernelAbi.METRIC_KEY_SUB));
            KernelBtf.StructLayout value = btf.struct("metric_value");
            assertThat(value.size()).isEqualTo(KernelAbi.METRIC_VALUE_SIZE);
            assertThat(value.offsets()).containsExactly(entry("count", KernelAbi.METRIC_VALUE_COUNT),
                    entry("sum", KernelAbi.METRIC_VALUE_SUM));
            KernelBtf.StructLayout traffic = btf.struct("traffic_value");
            assertThat(traffic.size()).isEqualTo(KernelAbi.TRAFFIC_VALUE_SIZE);
            assertThat(traffic.offsets().keySet()).containsExactly(KernelAbi.TRAFFIC_VALUE_FIELDS);
            for (int i = 0; i < KernelAbi.TRAFFIC_VALUE_FIELDS.length; i++) {
                assertThat(traffic.offsets()).containsEntry(KernelAbi.TRAFFIC_VALUE_FIELDS[i], 8 * i);
            }
            KernelBtf.StructLayout dns = btf.struct("dns_key");
            assertThat(dns.size()).isEqualTo(KernelAbi.DNS_KEY_SIZE);
            assertThat(dns.offsets()).containsEntry("cgroup_id", KernelAbi.DNS_KEY_CGROUP_ID)
                    .containsEntry("id", KernelAbi.DNS_KEY_ID).containsEntry("local_port", KernelAbi.DNS_KEY_LOCAL_PORT);
            KernelBtf.StructLayout dnsPort = btf.struct("dns_port_key");
            assertThat(dnsPort.size()).isEqualTo(KernelAbi.DNS_PORT_KEY_SIZE);
            assertThat(dnsPort.offsets()).containsEntry("cgroup_id", KernelAbi.DNS_PORT_KEY_CGROUP_ID)
                    .containsEntry("port", KernelAbi.DNS_PORT_KEY_PORT);
            KernelBtf.StructLayout flowKey = btf.struct("flow_key");
            assertThat(flowKey.size()).isEqualTo(KernelAbi.FLOW_KEY_SIZE);
            assertThat(flowKey.offsets()).containsEntry("cgroup_id", KernelAbi.FLOW_KEY_CGROUP_ID)
                    .containsEntry("peer", KernelAbi.FLOW_KEY_PEER).containsEntry("backend", KernelAbi.FLOW_KEY_BACKEND)
                    .containsEntry("port", KernelAbi.FLOW_KEY_PORT)
                    .containsEntry("backend_port", KernelAbi.FLOW_KEY_BACKEND_PORT)
                    .containsEntry("direction", KernelAbi.FLOW_KEY_DIRECTION)
                    .containsEntry("protocol", KernelAbi.FLOW_KEY_PROTOCOL);
            KernelBtf.StructLayout flowValue = btf.struct("flow_value");
            assertThat(flowValue.size()).isEqualTo(KernelAbi.FLOW_VALUE_SIZE);
            assertThat(flowValue.offsets().keySet()).containsExactly(KernelAbi.FLOW_VALUE_FIELDS);
            for (int i = 0; i < KernelAbi.FLOW_VALUE_COUNTERS; i++) {
                assertThat(flowValue.offsets()).containsEntry(KernelAbi.FLOW_VALUE_FIELDS[i], 8 * i);
            }
            assertThat(flowValue.offsets()).containsEntry("rtt_buckets", KernelAbi.FLOW_VALUE_RTT_BUCKETS);
            KernelBtf.StructLayout budget = btf.struct("flow_budget");
            assertThat(budget.size()).isEqualTo(KernelAbi.FLOW_BUDGET_SIZE);
            assertThat(budget.offsets()).containsEntry("limit", KernelAbi.FLOW_BUDGET_LIMIT)
                    .containsEntry("used", KernelAbi.FLOW_BUDGET_USED)
                    .containsEntry("refused", KernelAbi.FLOW_BUDGET_REFUSED);
        }
    }

    /** The knobs the loader sets before load are .rodata variables of the object, found through its DATASEC. */
    @Test
    void knobsAreRodataVariablesOfTheObject() {
        Path object = Path.of(System.getProperty("sonde.bpf.object"));
        try (KernelBtf btf = KernelBtf.parse(object)) {
            for (String knob : new String[] {KernelAbi.KNOB_NODE_LEVEL_EVENTS, KernelAbi.KNOB_EPHEMERAL_PORT_MIN}) {
                assertThat(btf.sectionVariable(".rodata", knob)).as(knob).hasValueSatisfying(v -> {
                    assertThat(v.size()).isIn(1, 2, 4, 8);
                    assertThat(v.offset()).isNotNegative();
                });
            }
            assertThat(btf.sectionVariable(".rodata", "no_such_knob")).isEmpty();
            assertThat(btf.sectionVariable(".no_such_section", KernelAbi.KNOB_NODE_LEVEL_EVENTS)).isEmpty();
        }
    }
}
