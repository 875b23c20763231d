package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Benchmark helper (test sources, same package as Libbpf): what one map lookup costs through each layer. */
public final class FfmCallCost {
    private static final long SYS_BPF = 321; // x86-64
    private static final int BPF_MAP_LOOKUP_ELEM = 1;

    private FfmCallCost() {
    }

    public record Result(String what, double nsPerCall) {
    }

    public static List<Result> measure(BpfMap map, byte[] key, int iterations) throws Throwable {
        List<Result> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(key.length, 8);
            k.copyFrom(MemorySegment.ofArray(key));
            MemorySegment v = arena.allocate(map.valueBytes(), 8);
            // union bpf_attr for BPF_MAP_LOOKUP_ELEM: { u32 map_fd; u32 pad; u64 key; u64 value; u64 flags; }
            MemorySegment attr = arena.allocate(32, 8);
            attr.set(JAVA_INT, 0, map.fd());
            attr.set(JAVA_LONG, 8, k.address());
            attr.set(JAVA_LONG, 16, v.address());
            MemorySegment state = arena.allocate(Libbpf.CAPTURE_LAYOUT);
            int fd = map.fd();

            out.add(time("empty downcall (libbpf_num_possible_cpus, cached)", iterations, () -> {
                int n = (int) Libbpf.LIBBPF_NUM_POSSIBLE_CPUS.invokeExact();
            }));
            out.add(time("raw syscall(SYS_bpf, MAP_LOOKUP_ELEM) via FFM", iterations, () -> {
                long rc = (long) Libbpf.SYSCALL_BPF.invokeExact(state, SYS_BPF, BPF_MAP_LOOKUP_ELEM, attr, 32);
                if (rc != 0) {
                    throw new IllegalStateException("lookup failed, errno " + Libbpf.errno(state));
                }
            }));
            out.add(time("bpf_map_lookup_elem (libbpf) via FFM, buffers reused", iterations, () -> {
                int rc = (int) Libbpf.BPF_MAP_LOOKUP_ELEM.invokeExact(fd, k, v);
                if (rc != 0) {
                    throw new IllegalStateException("lookup failed " + rc);
                }
            }));
            out.add(time("BpfMap.lookup (public API: arena per call, byte[] copies)", iterations, () -> {
                if (map.lookup(key) == null) {
                    throw new IllegalStateException("missing key");
                }
            }));
        }
        return out;
    }

    /** Milliseconds to read the whole map with bpf_map_lookup_batch in chunks of the given size (average of rounds). */
    public static double batchReadMs(BpfMap map, int chunk, int rounds) {
        map.readAll(chunk);
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            map.readAll(chunk);
        }
        return (System.nanoTime() - start) / 1e6 / rounds;
    }

    /** Milliseconds for the kernel half only: batch calls into native buffers, no copy into Java arrays. */
    public static double batchFetchMs(BpfMap map, int rounds) {
        map.fetchAll(BpfMap.BATCH_CHUNK);
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            map.fetchAll(BpfMap.BATCH_CHUNK);
        }
        return (System.nanoTime() - start) / 1e6 / rounds;
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Throwable;
    }

    private static Result time(String what, int iterations, Call call) throws Throwable {
        for (int i = 0; i < iterations / 5; i++) {
            call.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            call.run();
        }
        return new Result(what, (double) (System.nanoTime() - start) / iterations);
    }
}
