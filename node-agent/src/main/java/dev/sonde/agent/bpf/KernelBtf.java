package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * BTF type information: the running kernel's (/sys/kernel/btf/vmlinux) for capability checks and
 * enum names, or a BPF object file's, to check that Java mirrors of its structs still match.
 */
public final class KernelBtf implements AutoCloseable {
    private final MemorySegment btf;
    private boolean closed;

    private KernelBtf(MemorySegment btf) {
        this.btf = btf;
    }

    /** Throws BpfException (with strerror text) when the kernel has no usable BTF. */
    public static KernelBtf loadVmlinux() {
        LibbpfLog.install();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            MemorySegment btf = (MemorySegment) Libbpf.BTF__LOAD_VMLINUX_BTF.invokeExact(state);
            if (btf.equals(MemorySegment.NULL)) {
                throw BpfException.of("btf__load_vmlinux_btf", Libbpf.errno(state));
            }
            return new KernelBtf(btf);
        } catch (Throwable t) {
            throw Libbpf.fail("btf__load_vmlinux_btf", t);
        }
    }

    /** The BTF of an ELF file, e.g. sonde.bpf.o (no kernel access needed). */
    public static KernelBtf parse(java.nio.file.Path elf) {
        LibbpfLog.install();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            MemorySegment btf = (MemorySegment) Libbpf.BTF__PARSE.invokeExact(state, call.allocateFrom(elf.toString()),
                    MemorySegment.NULL);
            if (btf.equals(MemorySegment.NULL)) {
                throw BpfException.of("btf__parse " + elf, Libbpf.errno(state));
            }
            return new KernelBtf(btf);
        } catch (Throwable t) {
            throw Libbpf.fail("btf__parse", t);
        }
    }

    /** A struct's size and member byte offsets, or null when the struct is absent. */
    public StructLayout struct(String name) {
        int id = typeId(name, Libbpf.BTF_KIND_STRUCT);
        if (id <= 0) {
            return null;
        }
        try {
            MemorySegment t = ((MemorySegment) Libbpf.BTF__TYPE_BY_ID.invokeExact(btf, id)).reinterpret(12);
            int info = t.get(JAVA_INT, 4);
            int vlen = info & 0xffff;
            boolean bitfieldEncoding = (info >>> 31) != 0;
            int size = t.get(JAVA_INT, 8);
            t = t.reinterpret(12 + 12L * vlen); // struct btf_member { __u32 name_off; __u32 type; __u32 offset; }
            Map<String, Integer> offsets = new java.util.LinkedHashMap<>();
            for (int i = 0; i < vlen; i++) {
                int nameOff = t.get(JAVA_INT, 12 + 12L * i);
                int bits = t.get(JAVA_INT, 12 + 12L * i + 8);
                if (bitfieldEncoding) {
                    bits &= 0xffffff;
                }
                MemorySegment member = (MemorySegment) Libbpf.BTF__NAME_BY_OFFSET.invokeExact(btf, nameOff);
                offsets.put(member.reinterpret(Long.MAX_VALUE).getString(0), bits / 8);
            }
            return new StructLayout(name, size, offsets);
        } catch (Throwable t) {
            throw Libbpf.fail("btf struct " + name, t);
        }
    }

    /** Size and member offsets (bytes) of a C struct as BTF describes it. */
    public record StructLayout(String name, int size, Map<String, Integer> offsets) {
    }

    /** Every tracepoint has a {@code btf_trace_<name>} typedef: works without tracefs mounted. */
    public boolean hasTracepoint(String name) {
        return typeId("btf_trace_" + name, Libbpf.BTF_KIND_TYPEDEF) > 0;
    }

    /** Values of a C enum, e.g. {@code skb_drop_reason}: value -> name. Empty when absent. */
    public Map<Integer, String> enumValues(String enumName) {
        Map<Integer, String> values = new TreeMap<>();
        int id = typeId(enumName, Libbpf.BTF_KIND_ENUM);
        if (id <= 0) {
            return values;
        }
        try {
            MemorySegment t = ((MemorySegment) Libbpf.BTF__TYPE_BY_ID.invokeExact(btf, id)).reinterpret(12);
            int vlen = t.get(JAVA_INT, 4) & 0xffff;
            t = t.reinterpret(12 + 8L * vlen); // struct btf_enum { __u32 name_off; __s32 val; }
            for (int i = 0; i < vlen; i++) {
                int nameOff = t.get(JAVA_INT, 12 + 8L * i);
                int val = t.get(JAVA_INT, 12 + 8L * i + 4);
                MemorySegment name = (MemorySegment) Libbpf.BTF__NAME_BY_OFFSET.invokeExact(btf, nameOff);
                values.put(val, name.reinterpret(Long.MAX_VALUE).getString(0));
            }
            return values;
        } catch (Throwable t) {
            throw Libbpf.fail("btf enum " + enumName, t);
        }
    }

    private int typeId(String name, int kind) {
        if (closed) {
            throw new IllegalStateException("BTF closed");
        }
        try (Arena call = Arena.ofConfined()) {
            return (int) Libbpf.BTF__FIND_BY_NAME_KIND.invokeExact(btf, call.allocateFrom(name), kind);
        } catch (Throwable t) {
            throw Libbpf.fail("btf__find_by_name_kind", t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libbpf.BTF__FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw Libbpf.fail("btf__free", t);
        }
    }
}
