package dev.sonde.agent.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A map with typed keys and values: the codecs turn them into the bytes {@link BpfMap} moves. Checked against the
 * map's sizes once, when made. Valid while its {@link BpfObject} is open; not thread-safe (as {@link BpfMap}).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final MapCodec<K> keys;
    private final MapCodec<V> values;

    private TypedMap(BpfMap map, MapCodec<K> keys, MapCodec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    /** The map with these codecs; throws when their sizes are not the map's key and value sizes. */
    public static <K, V> TypedMap<K, V> of(BpfMap map, MapCodec<K> keys, MapCodec<V> values) {
        if (keys.size() != map.keySize() || values.size() != map.valueBytes()) {
            throw new IllegalArgumentException("%s: keys are %d bytes and values %d, the codecs make %d and %d".formatted(
                    map.name(), map.keySize(), map.valueBytes(), keys.size(), values.size()));
        }
        return new TypedMap<>(map, keys, values);
    }

    /** The value under the key, or null when absent. */
    public V lookup(K key) {
        byte[] v = map.lookup(encode(keys, key));
        return v == null ? null : values.read(BpfMap.wrap(v));
    }

    /** Writes the value under the key as the mode allows; false when the mode refused (see {@link BpfMap#update}). */
    public boolean update(K key, V value, BpfMap.UpdateMode mode) {
        return map.update(encode(keys, key), encode(values, value), mode);
    }

    /** Creates the key with an all-zero value (every CPU's slot, for per-CPU maps); false when it exists already. */
    public boolean createZeroed(K key) {
        return map.update(encode(keys, key), new byte[map.valueBytes()], BpfMap.UpdateMode.NOEXIST);
    }

    /** true when the key was present. */
    public boolean delete(K key) {
        return map.delete(encode(keys, key));
    }

    /** Every entry, read with one batch read ({@link BpfMap#readAll}); in the kernel's order. */
    public Map<K, V> readAll() {
        BpfMap.Snapshot s = map.readAll();
        Map<K, V> out = new LinkedHashMap<>();
        for (int i = 0; i < s.count(); i++) {
            out.put(keys.read(s.key(i)), values.read(s.value(i)));
        }
        return out;
    }

    /** Every entry, streamed through small buffers ({@link BpfMap#forEach}): for maps too large to copy at once. */
    public void forEach(BiConsumer<K, V> action) {
        map.forEach((k, v) -> action.accept(keys.read(k), values.read(v)));
    }

    private static <T> byte[] encode(MapCodec<T> codec, T value) {
        ByteBuffer out = ByteBuffer.allocate(codec.size()).order(ByteOrder.nativeOrder());
        codec.write(value, out);
        return out.array();
    }
}
