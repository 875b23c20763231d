package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * BTF type information: the running kernel's (/sys/kernel/btf/vmlinux) for capability checks and
 * enum names, or a BPF object file's, to check that Java mirrors of its structs still match.
 */
public final class KernelBtf implements AutoCloseable {
    private final MemorySegment btf;
    /** Whether close frees the BTF: false for a loaded object's own, which libbpf frees with the object. */
    private final boolean owned;
    private boolean closed;

    private KernelBtf(MemorySegment btf, boolean owned) {
        this.btf = btf;
        this.owned = owned;
    }

    /** A view of a BTF libbpf owns elsewhere (e.g. {@code bpf_object__btf}); closing it frees nothing. */
    static KernelBtf view(MemorySegment btf) {
        return new KernelBtf(btf, false);
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
            return new KernelBtf(btf, true);
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
            return new KernelBtf(btf, true);
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
                offsets.put(name(nameOff), bits / 8);
            }
            return new StructLayout(name, size, offsets);
        } catch (Throwable t) {
            throw Libbpf.fail("btf struct " + name, t);
        }
    }

    /** Size and member offsets (bytes) of a C struct as BTF describes it. */
    public record StructLayout(String name, int size, Map<String, Integer> offsets) {
    }

    /** Where a global variable lives in its data section: byte offset and size. */
    public record SectionVariable(String name, int offset, int size) {
    }

    /**
     * A variable of a data section, e.g. a {@code volatile const} knob in {@code .rodata}, from the section's
     * DATASEC type; empty when the section or the variable is absent.
     */
    public Optional<SectionVariable> sectionVariable(String section, String variable) {
        int secId = typeId(section, Libbpf.BTF_KIND_DATASEC);
        if (secId <= 0) {
            return Optional.empty();
        }
        try {
            MemorySegment sec = ((MemorySegment) Libbpf.BTF__TYPE_BY_ID.invokeExact(btf, secId)).reinterpret(12);
            int vlen = sec.get(JAVA_INT, 4) & 0xffff;
            sec = sec.reinterpret(12 + 12L * vlen); // struct btf_var_secinfo { __u32 type; __u32 offset; __u32 size; }
            for (int i = 0; i < vlen; i++) {
                long base = 12 + 12L * i;
                MemorySegment var = ((MemorySegment) Libbpf.BTF__TYPE_BY_ID.invokeExact(btf, sec.get(JAVA_INT, base)))
                        .reinterpret(12);
                if (variable.equals(name(var.get(JAVA_INT, 0)))) {
                    return Optional.of(new SectionVariable(variable, sec.get(JAVA_INT, base + 4),
                            sec.get(JAVA_INT, base + 8)));
                }
            }
            return Optional.empty();
        } catch (Throwable t) {
            throw Libbpf.fail("btf datasec " + section, t);
        }
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
                values.put(val, name(nameOff));
            }
            return values;
        } catch (Throwable t) {
            throw Libbpf.fail("btf enum " + enumName, t);
        }
    }

    private String name(int nameOffset) throws Throwable {
        MemorySegment name = (MemorySegment) Libbpf.BTF__NAME_BY_OFFSET.invokeExact(btf, nameOffset);
        return name.reinterpret(Long.MAX_VALUE).getString(0);
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
        if (!owned) {
            return;
        }
        try {
            Libbpf.BTF__FREE.invokeExact(btf);
        } catch (Throwable t) {
            throw Libbpf.fail("btf__free", t);
        }
    }
}
