package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into libbpf.so.1 (1.x semantics: int calls return {@code -errno}; pointer calls
 * return NULL and set errno, so only those capture errno) and the few libc calls the binding
 * needs. Package-private: the rest of the package wraps these in owning, AutoCloseable types.
 */
final class Libbpf {
    private Libbpf() {
    }

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBBPF = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    static final ValueLayout.OfLong SIZE_T = JAVA_LONG;

    // bpf_object
    static final MethodHandle BPF_OBJECT__OPEN_FILE = errnoCall("bpf_object__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BPF_OBJECT__OPEN_MEM = errnoCall("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, SIZE_T, ADDRESS));
    static final MethodHandle BPF_OBJECT__LOAD = call("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_OBJECT__CLOSE = call("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle BPF_OBJECT__FIND_PROGRAM_BY_NAME = call("bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BPF_OBJECT__FIND_MAP_BY_NAME = call("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BPF_OBJECT__BTF = call("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle BPF_OBJECT__NEXT_PROGRAM = call("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // bpf_program
    static final MethodHandle BPF_PROGRAM__SET_AUTOLOAD = call("bpf_program__set_autoload", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle BPF_PROGRAM__SET_LOG_BUF = call("bpf_program__set_log_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, SIZE_T));
    static final MethodHandle BPF_PROGRAM__NAME = call("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle BPF_PROGRAM__SECTION_NAME = call("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle BPF_PROGRAM__SET_TYPE = call("bpf_program__set_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle BPF_PROGRAM__SET_EXPECTED_ATTACH_TYPE = call("bpf_program__set_expected_attach_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle BPF_PROGRAM__FD = call("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_PROGRAM__ATTACH_TRACE = errnoCall("bpf_program__attach_trace", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle BPF_PROGRAM__ATTACH_CGROUP = errnoCall("bpf_program__attach_cgroup", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    // bpf_link
    static final MethodHandle BPF_LINK__DESTROY = call("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_LINK__FD = call("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    // bpf_map (object level)
    static final MethodHandle BPF_MAP__FD = call("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP__SET_MAX_ENTRIES = call("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle BPF_MAP__MAX_ENTRIES = call("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP__KEY_SIZE = call("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP__VALUE_SIZE = call("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP__TYPE = call("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP__INITIAL_VALUE = call("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // low-level map and object syscalls (bpf.h)
    static final MethodHandle BPF_MAP_LOOKUP_ELEM = call("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle BPF_MAP_UPDATE_ELEM = call("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle BPF_MAP_DELETE_ELEM = call("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle BPF_MAP_GET_NEXT_KEY = call("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle BPF_MAP_LOOKUP_BATCH = call("bpf_map_lookup_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BPF_OBJ_GET_INFO_BY_FD = call("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle BPF_ENABLE_STATS = call("bpf_enable_stats", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // BTF
    static final MethodHandle BTF__LOAD_VMLINUX_BTF = errnoCall("btf__load_vmlinux_btf", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle BTF__PARSE = errnoCall("btf__parse", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle BTF__FREE = call("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle BTF__FIND_BY_NAME_KIND = call("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle BTF__TYPE_BY_ID = call("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle BTF__NAME_BY_OFFSET = call("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    // misc
    static final MethodHandle LIBBPF_NUM_POSSIBLE_CPUS = call("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle LIBBPF_STRERROR = call("libbpf_strerror", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, SIZE_T));
    static final MethodHandle LIBBPF_SET_PRINT = call("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));

    // libc
    static final MethodHandle OPEN = libcErrnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle CLOSE = libcCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** vsnprintf(buf, n, fmt, va_list): on x86-64 SysV a va_list parameter is passed as a pointer. */
    static final MethodHandle VSNPRINTF = libcCall("vsnprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, SIZE_T, ADDRESS, ADDRESS));
    /** syscall(SYS_bpf, cmd, attr, size): netfilter links (libbpf 1.1 has no call), the FFM-vs-raw benchmark. */
    static final MethodHandle SYSCALL_BPF = libcErrnoCall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(1));

    static final int O_RDONLY = 0;
    static final int O_DIRECTORY = 0200000;
    static final int O_CLOEXEC = 02000000;
    static final int BTF_KIND_TYPEDEF = 8;
    static final int BTF_KIND_ENUM = 6;
    static final int BTF_KIND_DATASEC = 15;
    static final int BTF_KIND_STRUCT = 4;
    static final int BPF_STATS_RUN_TIME = 0;
    static final long SYS_BPF = "aarch64".equals(System.getProperty("os.arch")) ? 280 : 321;
    static final int BPF_LINK_CREATE = 28;
    static final int BPF_PROG_TYPE_NETFILTER = 32;
    static final int BPF_MAP_TYPE_PERCPU_HASH = 5;
    static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    static final int BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
    static final int BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
    static final int BPF_NETFILTER = 45;

    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBBPF.findOrThrow(name), fd);
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBBPF.findOrThrow(name), fd, CAPTURE_ERRNO);
    }

    private static MethodHandle libcCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), fd);
    }

    private static MethodHandle libcErrnoCall(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(LIBC.findOrThrow(name), fd, options);
    }

    static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }

    /** libbpf_strerror: knows libbpf's own error codes (4000+) as well as errno values. */
    static String strerror(int err) {
        int code = Math.abs(err);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int rc = (int) LIBBPF_STRERROR.invokeExact(code, buf, 256L);
            return rc == 0 ? buf.getString(0) : "errno " + code;
        } catch (Throwable t) {
            return "errno " + code;
        }
    }

    /** Wraps a Throwable from invokeExact: downcalls don't throw checked exceptions in practice. */
    static BpfException fail(String what, Throwable t) {
        if (t instanceof BpfException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new BpfException(what + ": " + t, 0, t);
    }
}
