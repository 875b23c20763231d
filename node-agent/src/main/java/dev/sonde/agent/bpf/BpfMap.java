package dev.sonde.agent.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded map, addressed by fd. Keys and values cross this API as byte arrays in native byte
 * order; for per-CPU maps a value is {@code possibleCpus} slots of {@code round_up(value_size, 8)}.
 * {@link TypedMap} puts Java types on top; the raw bytes stay for the hot batch reads (the metrics map).
 * Valid while its {@link BpfObject} is open; not thread-safe (the batch buffers are reused).
 */
public final class BpfMap {
    private static final int ENOENT = 2;
    private static final int EEXIST = 17;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int ENOTSUPP = 524;
    private static final int EOPNOTSUPP = 95;
    private static final int POSSIBLE_CPUS = possibleCpus();

    private final String name;
    private final int fd;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final boolean perCpu;
    private final Arena owner;
    private BatchBuffers batch;
    private BatchBuffers stream;

    /** Native buffers for batch reads, allocated once from the owning object's arena. */
    private record BatchBuffers(MemorySegment keys, MemorySegment values, MemorySegment inBatch,
            MemorySegment outBatch, MemorySegment count) {
    }

    BpfMap(String name, MemorySegment map, Arena owner) {
        this.name = name;
        this.owner = owner;
        try {
            this.fd = (int) Libbpf.BPF_MAP__FD.invokeExact(map);
            BpfObject.check(fd, "bpf_map__fd " + name);
            this.keySize = (int) Libbpf.BPF_MAP__KEY_SIZE.invokeExact(map);
            this.valueSize = (int) Libbpf.BPF_MAP__VALUE_SIZE.invokeExact(map);
            this.maxEntries = (int) Libbpf.BPF_MAP__MAX_ENTRIES.invokeExact(map);
            int type = (int) Libbpf.BPF_MAP__TYPE.invokeExact(map);
            this.perCpu = PER_CPU_TYPES.contains(type);
        } catch (Throwable t) {
            throw Libbpf.fail("map " + name, t);
        }
    }

    public static int possibleCpus() {
        try {
            int n = (int) Libbpf.LIBBPF_NUM_POSSIBLE_CPUS.invokeExact();
            BpfObject.check(n, "libbpf_num_possible_cpus");
            return n;
        } catch (Throwable t) {
            throw Libbpf.fail("libbpf_num_possible_cpus", t);
        }
    }

    public String name() {
        return name;
    }

    /** For measurements inside this package only. */
    int fd() {
        return fd;
    }

    public int keySize() {
        return keySize;
    }

    /** Bytes of one lookup result: value_size, or possibleCpus * round_up(value_size, 8) for per-CPU maps. */
    public int valueBytes() {
        return perCpu ? POSSIBLE_CPUS * perCpuSlot() : valueSize;
    }

    /** Bytes of one CPU's slot in a per-CPU value. */
    public int perCpuSlot() {
        return (valueSize + 7) & ~7;
    }

    public int maxEntries() {
        return maxEntries;
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /** The value for key, or null when absent. */
    public byte[] lookup(byte[] key) {
        checkKey(key);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment k = call.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = call.allocate(valueBytes(), 8);
            int rc = (int) Libbpf.BPF_MAP_LOOKUP_ELEM.invokeExact(fd, k, v);
            if (rc == -ENOENT) {
                return null;
            }
            BpfObject.check(rc, "lookup in " + name);
            return v.toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_lookup_elem " + name, t);
        }
    }

    /** How an update treats an existing key: the flags of bpf_map_update_elem. */
    public enum UpdateMode {
        /** BPF_ANY: create or replace. */
        ANY(0),
        /** BPF_NOEXIST: create only; leaves an existing key as it is. */
        NOEXIST(1),
        /** BPF_EXIST: replace only; creates nothing when the key is absent. */
        EXIST(2);

        final long flags;

        UpdateMode(long flags) {
            this.flags = flags;
        }
    }

    /** The map types whose values hold one slot per possible CPU. */
    private static final java.util.Set<Integer> PER_CPU_TYPES = java.util.Set.of(Libbpf.BPF_MAP_TYPE_PERCPU_HASH,
            Libbpf.BPF_MAP_TYPE_PERCPU_ARRAY, Libbpf.BPF_MAP_TYPE_LRU_PERCPU_HASH,
            Libbpf.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);

    /**
     * Writes the value under the key as the mode allows. false when the mode refused: {@link UpdateMode#NOEXIST}
     * met an existing key, or {@link UpdateMode#EXIST} a missing one (as {@link #delete} says false for a missing
     * key); other failures throw.
     */
    public boolean update(byte[] key, byte[] value, UpdateMode mode) {
        checkKey(key);
        if (value.length != valueBytes()) {
            throw new IllegalArgumentException(name + ": value needs " + valueBytes() + " bytes, got " + value.length);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment k = call.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = call.allocateFrom(ValueLayout.JAVA_BYTE, value);
            int rc = (int) Libbpf.BPF_MAP_UPDATE_ELEM.invokeExact(fd, k, v, mode.flags);
            if ((mode == UpdateMode.NOEXIST && rc == -EEXIST) || (mode == UpdateMode.EXIST && rc == -ENOENT)) {
                return false;
            }
            BpfObject.check(rc, "update in " + name);
            return true;
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_update_elem " + name, t);
        }
    }

    /** true when the key was present. */
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment k = call.allocateFrom(ValueLayout.JAVA_BYTE, key);
            int rc = (int) Libbpf.BPF_MAP_DELETE_ELEM.invokeExact(fd, k);
            if (rc == -ENOENT) {
                return false;
            }
            BpfObject.check(rc, "delete in " + name);
            return true;
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_delete_elem " + name, t);
        }
    }

    /** All keys, one bpf_map_get_next_key call each. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment cur = call.allocate(keySize, 8);
            MemorySegment next = call.allocate(keySize, 8);
            MemorySegment prev = MemorySegment.NULL;
            while (true) {
                int rc = (int) Libbpf.BPF_MAP_GET_NEXT_KEY.invokeExact(fd, prev, next);
                if (rc == -ENOENT) {
                    return keys;
                }
                BpfObject.check(rc, "get_next_key in " + name);
                keys.add(next.toArray(ValueLayout.JAVA_BYTE));
                cur.copyFrom(next);
                prev = cur;
            }
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_get_next_key " + name, t);
        }
    }

    /** Entries per bpf_map_lookup_batch call: the kernel allocates a buffer of this many entries per call. */
    static final int BATCH_CHUNK = 8192;

    /** Every entry, read with bpf_map_lookup_batch (falls back to key-by-key where unsupported). */
    public Snapshot readAll() {
        return readAll(BATCH_CHUNK);
    }

    Snapshot readAll(int chunk) {
        int total = fetchAll(chunk);
        if (total < 0) {
            return readKeyByKey();
        }
        int vb = valueBytes();
        return new Snapshot(total, keySize, vb,
                batch.keys().asSlice(0, (long) total * keySize).toArray(ValueLayout.JAVA_BYTE),
                batch.values().asSlice(0, (long) total * vb).toArray(ValueLayout.JAVA_BYTE));
    }

    /** The kernel half of readAll: entries into the reusable native buffers; -1 when batch ops are unsupported. */
    int fetchAll(int chunk) {
        int capacity = Math.max(1, maxEntries);
        int vb = valueBytes();
        if (batch == null) {
            batch = batchBuffers(capacity);
        }
        MemorySegment count = batch.count();
        try {
            int total = 0;
            boolean first = true;
            while (total < capacity) {
                count.set(ValueLayout.JAVA_INT, 0, Math.min(chunk, capacity - total));
                MemorySegment cursor = first ? MemorySegment.NULL : batch.inBatch();
                int rc = (int) Libbpf.BPF_MAP_LOOKUP_BATCH.invokeExact(fd, cursor, batch.outBatch(),
                        batch.keys().asSlice((long) total * keySize), batch.values().asSlice((long) total * vb), count,
                        MemorySegment.NULL);
                if (rc < 0 && rc != -ENOENT) {
                    if (first && (rc == -EINVAL || rc == -ENOTSUPP || rc == -EOPNOTSUPP)) {
                        return -1;
                    }
                    BpfObject.check(rc, "lookup_batch in " + name);
                }
                total += count.get(ValueLayout.JAVA_INT, 0);
                if (rc == -ENOENT) {
                    return total;
                }
                batch.inBatch().copyFrom(batch.outBatch());
                first = false;
            }
            return total;
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_lookup_batch " + name, t);
        }
    }

    /** One entry of {@link #forEach}: key and value in native byte order, valid only during the call. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(ByteBuffer key, ByteBuffer value);
    }

    /** Entries per call of {@link #forEach}: its buffers hold this many, whatever the map's size. */
    static final int STREAM_CHUNK = 256;

    /**
     * Every entry, {@link #STREAM_CHUNK} at a time through small reused buffers: what a read holds is bounded by the
     * chunk, not by max_entries × possible CPUs (a per-CPU map of 16,384 entries of 192 B is 200 MB on a 64-CPU node
     * for {@link #readAll}). Falls back to key-by-key where batch reads are unsupported.
     */
    public void forEach(EntryVisitor visitor) {
        int vb = valueBytes();
        int chunk = stream == null ? STREAM_CHUNK : (int) (stream.keys().byteSize() / keySize);
        if (stream == null) {
            stream = batchBuffers(chunk);
        }
        MemorySegment count = stream.count();
        try {
            boolean first = true;
            while (true) {
                count.set(ValueLayout.JAVA_INT, 0, chunk);
                MemorySegment cursor = first ? MemorySegment.NULL : stream.inBatch();
                int rc = (int) Libbpf.BPF_MAP_LOOKUP_BATCH.invokeExact(fd, cursor, stream.outBatch(), stream.keys(),
                        stream.values(), count, MemorySegment.NULL);
                if (rc == -ENOSPC) {
                    // one hash bucket holds more entries than the chunk: a larger chunk, the same cursor
                    MemorySegment in = stream.inBatch();
                    chunk *= 2;
                    stream = batchBuffers(chunk);
                    stream.inBatch().copyFrom(in);
                    count = stream.count();
                    continue;
                }
                if (rc < 0 && rc != -ENOENT) {
                    if (first && (rc == -EINVAL || rc == -ENOTSUPP || rc == -EOPNOTSUPP)) {
                        Snapshot s = readKeyByKey();
                        for (int i = 0; i < s.count(); i++) {
                            visitor.visit(s.key(i), s.value(i));
                        }
                        return;
                    }
                    BpfObject.check(rc, "lookup_batch in " + name);
                }
                int n = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < n; i++) {
                    visitor.visit(stream.keys().asSlice((long) i * keySize, keySize).asByteBuffer()
                                    .order(ByteOrder.nativeOrder()),
                            stream.values().asSlice((long) i * vb, vb).asByteBuffer().order(ByteOrder.nativeOrder()));
                }
                if (rc == -ENOENT) {
                    return;
                }
                stream.inBatch().copyFrom(stream.outBatch());
                first = false;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map_lookup_batch " + name, t);
        }
    }

    private BatchBuffers batchBuffers(int entries) {
        // hash maps use a u32 bucket cursor, arrays a key: room for either
        return new BatchBuffers(owner.allocate((long) entries * keySize, 8),
                owner.allocate((long) entries * valueBytes(), 8), owner.allocate(Math.max(8, keySize), 8),
                owner.allocate(Math.max(8, keySize), 8), owner.allocate(ValueLayout.JAVA_INT));
    }

    /** Every entry, one get_next_key and one lookup per key (what batch reads replace). */
    public Snapshot readKeyByKey() {
        List<byte[]> ks = keys();
        int vb = valueBytes();
        byte[] keyBytes = new byte[ks.size() * keySize];
        byte[] valueBytes = new byte[ks.size() * vb];
        int n = 0;
        for (byte[] k : ks) {
            byte[] v = lookup(k);
            if (v == null) {
                continue; // deleted meanwhile
            }
            System.arraycopy(k, 0, keyBytes, n * keySize, keySize);
            System.arraycopy(v, 0, valueBytes, n * vb, vb);
            n++;
        }
        return new Snapshot(n, keySize, vb, java.util.Arrays.copyOf(keyBytes, n * keySize),
                java.util.Arrays.copyOf(valueBytes, n * vb));
    }

    private void checkKey(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException(name + ": key needs " + keySize + " bytes, got " + key.length);
        }
    }

    /** Entries copied out of the kernel in one go; read with {@link #key(int)} and {@link #value(int)}. */
    public record Snapshot(int count, int keySize, int valueBytes, byte[] keys, byte[] values) {
        public ByteBuffer key(int i) {
            return ByteBuffer.wrap(keys, i * keySize, keySize).slice().order(ByteOrder.nativeOrder());
        }

        public ByteBuffer value(int i) {
            return ByteBuffer.wrap(values, i * valueBytes, valueBytes).slice().order(ByteOrder.nativeOrder());
        }
    }
}
