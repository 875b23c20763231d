package dev.sonde.agent.bpf;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How a Java type is a map's key or value: exactly {@link #size()} bytes in native byte order. A per-CPU map's value
 * is every possible CPU's slot ({@link BpfMap#valueBytes()}), so its codec is made for that map; such values are
 * only read (the agent sums the slots), and {@link TypedMap#createZeroed} creates them.
 *
 * @param <T> the Java type
 */
public interface MapCodec<T> {

    /** Bytes of one key or value. */
    int size();

    /** Writes the value into {@code out} ({@link #size()} bytes, native byte order) at absolute offsets. */
    void write(T value, ByteBuffer out);

    /** Reads a value from {@code in} ({@link #size()} bytes, native byte order); {@code in} is valid during the call only. */
    T read(ByteBuffer in);

    /** A __u64. */
    MapCodec<Long> U64 = of(Long.BYTES, (v, out) -> out.putLong(0, v), in -> in.getLong(0));

    /** A __u32. */
    MapCodec<Integer> U32 = of(Integer.BYTES, (v, out) -> out.putInt(0, v), in -> in.getInt(0));

    /** A __u8. */
    MapCodec<Byte> U8 = of(Byte.BYTES, (v, out) -> out.put(0, v), in -> in.get(0));

    static <T> MapCodec<T> of(int size, BiConsumer<T, ByteBuffer> write, Function<ByteBuffer, T> read) {
        return new MapCodec<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public void write(T value, ByteBuffer out) {
                write.accept(value, out);
            }

            @Override
            public T read(ByteBuffer in) {
                return read.apply(in);
            }
        };
    }

    /** A codec of values that are only read, such as a per-CPU map's slots; writing one throws. */
    static <T> MapCodec<T> readOnly(int size, Function<ByteBuffer, T> read) {
        return of(size, (v, out) -> {
            throw new UnsupportedOperationException("values of " + size + " bytes here are read, never written");
        }, read);
    }
}
