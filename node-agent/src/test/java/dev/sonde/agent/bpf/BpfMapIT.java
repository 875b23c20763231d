package dev.sonde.agent.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link BpfMap#forEach} on a real per-CPU hash map (the agent's {@code flows}) holding more entries than one chunk:
 * every entry exactly once, each CPU's slot as written, the same as the whole-map batch read and the key-by-key read.
 * Root: loading the object needs CAP_BPF.
 */
class BpfMapIT {

    private static final int ENTRIES = BpfMap.STREAM_CHUNK * 4 + 17;

    @Test
    void forEachStreamsEveryEntryOfAPerCpuHashOnceInChunks() throws Exception {
        byte[] elf;
        try (InputStream in = BpfMapIT.class.getResourceAsStream("/bpf/sonde.bpf.o")) {
            assertThat(in).as("the probes' object on the classpath (built by the bpf make step)").isNotNull();
            elf = in.readAllBytes();
        }
        try (BpfObject object = BpfObject.open(elf, "sonde")) {
            object.setMaxEntries("flows", 2 * ENTRIES); // the agent sizes it (KernelProbes.Config.maxFlows)
            object.load();
            BpfMap flows = object.map("flows");
            int slot = flows.perCpuSlot();
            int cpus = flows.valueBytes() / slot;
            for (int i = 0; i < ENTRIES; i++) {
                ByteBuffer value = ByteBuffer.allocate(flows.valueBytes()).order(ByteOrder.nativeOrder());
                for (int cpu = 0; cpu < cpus; cpu++) {
                    value.putLong(cpu * slot, 1000L * i + cpu);
                }
                flows.update(key(i, flows.keySize()), value.array(), BpfMap.UpdateMode.NOEXIST);
            }

            Map<Long, Long> seen = new HashMap<>();
            int[] wrong = {0};
            flows.forEach((k, v) -> {
                long i = k.getLong(0);
                seen.merge(i, 1L, Long::sum);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    if (v.getLong(cpu * slot) != 1000L * i + cpu) {
                        wrong[0]++;
                    }
                }
            });

            assertThat(seen).hasSize(ENTRIES);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertThat(wrong[0]).as("per-CPU slots read back differently").isZero();
            assertThat(flows.readAll().count()).isEqualTo(ENTRIES);
            assertThat(flows.readKeyByKey().count()).isEqualTo(ENTRIES);
        }
    }

    /** A typed view writes and reads what the raw map holds, and refuses codecs of the wrong size up front. */
    @Test
    void aTypedMapMovesItsTypesThroughTheKernelMap() throws Exception {
        byte[] elf;
        try (InputStream in = BpfMapIT.class.getResourceAsStream("/bpf/sonde.bpf.o")) {
            elf = in.readAllBytes();
        }
        try (BpfObject object = BpfObject.open(elf, "sonde")) {
            object.load();
            BpfMap raw = object.map("selected_cgroups"); // u64 cgroup id -> u64 monitor mask
            TypedMap<Long, Long> selected = TypedMap.of(raw, MapCodec.U64, MapCodec.U64);

            assertThat(selected.update(7L, 0b101L, BpfMap.UpdateMode.NOEXIST)).isTrue();
            assertThat(selected.update(7L, 1L, BpfMap.UpdateMode.NOEXIST)).as("NOEXIST keeps the entry").isFalse();
            assertThat(selected.update(8L, 1L, BpfMap.UpdateMode.EXIST)).as("EXIST creates nothing").isFalse();
            assertThat(selected.lookup(7L)).isEqualTo(0b101L);
            assertThat(ByteBuffer.wrap(raw.lookup(key(7, 8))).order(ByteOrder.nativeOrder()).getLong(0))
                    .isEqualTo(0b101L);
            assertThat(selected.createZeroed(9L)).isTrue();
            assertThat(selected.readAll()).containsExactlyInAnyOrderEntriesOf(Map.of(7L, 0b101L, 9L, 0L));
            assertThat(selected.delete(7L)).isTrue();
            assertThat(selected.delete(7L)).isFalse();
            assertThat(selected.lookup(7L)).isNull();

            assertThatThrownBy(() -> TypedMap.of(raw, MapCodec.U32, MapCodec.U64))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("selected_cgroups");
        }
    }

    /** A flow key whose first 8 bytes (the cgroup id) are i. */
    private static byte[] key(long i, int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder()).putLong(0, i).array();
    }
}
