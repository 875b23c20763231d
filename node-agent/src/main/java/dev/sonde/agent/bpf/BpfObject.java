package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened (then loaded) BPF object file. Owns the libbpf {@code bpf_object}, its links, and one
 * arena for native memory that lives as long as the object (the maps' reusable batch buffers);
 * {@link #close()} destroys the links, unloads programs and maps, and frees the arena. Per-call
 * memory comes from confined arenas. Not thread-safe: callers serialise.
 */
public final class BpfObject implements AutoCloseable {
    private static final int VERIFIER_LOG_SIZE = 256 * 1024;
    private static final String NETFILTER_SECTION = "netfilter";
    private static final String RODATA = ".rodata";
    /** union bpf_attr for BPF_LINK_CREATE with its netfilter member: prog_fd, target_fd, attach_type, flags, pf,
     *  hooknum, priority, netfilter flags (u32 each); the rest zero. */
    private static final int LINK_CREATE_ATTR_SIZE = 64;

    private final Arena arena;
    private final MemorySegment obj;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, MemorySegment> programs = new LinkedHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(Arena arena, MemorySegment obj) {
        this.arena = arena;
        this.obj = obj;
        try {
            MemorySegment prog = MemorySegment.NULL;
            while (true) {
                prog = (MemorySegment) Libbpf.BPF_OBJECT__NEXT_PROGRAM.invokeExact(obj, prog);
                if (prog.equals(MemorySegment.NULL)) {
                    break;
                }
                MemorySegment name = (MemorySegment) Libbpf.BPF_PROGRAM__NAME.invokeExact(prog);
                programs.put(name.reinterpret(Long.MAX_VALUE).getString(0), prog);
                MemorySegment section = (MemorySegment) Libbpf.BPF_PROGRAM__SECTION_NAME.invokeExact(prog);
                if (NETFILTER_SECTION.equals(section.reinterpret(Long.MAX_VALUE).getString(0))) {
                    // libbpf 1.1 (Debian 12) predates SEC("netfilter"): give the type the section name implies
                    check((int) Libbpf.BPF_PROGRAM__SET_TYPE.invokeExact(prog, Libbpf.BPF_PROG_TYPE_NETFILTER),
                            "bpf_program__set_type");
                    check((int) Libbpf.BPF_PROGRAM__SET_EXPECTED_ATTACH_TYPE.invokeExact(prog, Libbpf.BPF_NETFILTER),
                            "bpf_program__set_expected_attach_type");
                }
            }
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_object__next_program", t);
        }
    }

    /** bpf_object__open_file: parses the ELF and BTF, nothing reaches the kernel yet. */
    public static BpfObject open(Path file) {
        LibbpfLog.install();
        Arena arena = Arena.ofShared();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            MemorySegment obj = (MemorySegment) Libbpf.BPF_OBJECT__OPEN_FILE.invokeExact(state,
                    call.allocateFrom(file.toString()), MemorySegment.NULL);
            if (obj.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__open_file " + file, Libbpf.errno(state));
            }
            return new BpfObject(arena, obj);
        } catch (Throwable t) {
            arena.close();
            throw Libbpf.fail("bpf_object__open_file", t);
        }
    }

    /**
     * bpf_object__open_mem: the ELF image comes from memory (e.g. a jar resource), so no temporary
     * file is left behind, not even by a SIGKILLed agent. The copy lives in this object's arena,
     * as libbpf reads it until load. {@code name} names the object (and prefixes its internal maps).
     */
    public static BpfObject open(byte[] elf, String name) {
        LibbpfLog.install();
        Arena arena = Arena.ofShared();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(elf.length, 8);
            image.copyFrom(MemorySegment.ofArray(elf));
            // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }: later fields absent
            MemorySegment opts = call.allocate(16, 8);
            opts.set(Libbpf.SIZE_T, 0, 16L);
            opts.set(java.lang.foreign.ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            MemorySegment obj = (MemorySegment) Libbpf.BPF_OBJECT__OPEN_MEM.invokeExact(state, image, (long) elf.length, opts);
            if (obj.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__open_mem " + name, Libbpf.errno(state));
            }
            return new BpfObject(arena, obj);
        } catch (Throwable t) {
            arena.close();
            throw Libbpf.fail("bpf_object__open_mem", t);
        }
    }

    /** Before load: whether the program is loaded into the kernel at all. */
    public void setAutoload(String program, boolean autoload) {
        checkNotLoaded();
        try {
            int rc = (int) Libbpf.BPF_PROGRAM__SET_AUTOLOAD.invokeExact(program(program), autoload);
            check(rc, "bpf_program__set_autoload " + program);
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_program__set_autoload", t);
        }
    }

    /** Before load: resizes a map. */
    public void setMaxEntries(String map, int maxEntries) {
        checkNotLoaded();
        try {
            int rc = (int) Libbpf.BPF_MAP__SET_MAX_ENTRIES.invokeExact(mapPointer(map), maxEntries);
            check(rc, "bpf_map__set_max_entries " + map);
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_map__set_max_entries", t);
        }
    }

    /**
     * Before load: sets a {@code volatile const} knob in .rodata. The variable's offset and size
     * come from the object's BTF (DATASEC .rodata), so C and Java can't drift apart silently.
     */
    public void setRodata(String variable, long value) {
        checkNotLoaded();
        KernelBtf.SectionVariable knob;
        try {
            MemorySegment btf = (MemorySegment) Libbpf.BPF_OBJECT__BTF.invokeExact(obj);
            if (btf.equals(MemorySegment.NULL)) {
                throw new BpfException("object has no BTF", 0);
            }
            knob = KernelBtf.view(btf).sectionVariable(RODATA, variable)
                    .orElseThrow(() -> new BpfException("no " + RODATA + " variable '" + variable + "'", 0));
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_object__btf", t);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment psize = call.allocate(Libbpf.SIZE_T);
            MemorySegment data = (MemorySegment) Libbpf.BPF_MAP__INITIAL_VALUE.invokeExact(mapPointer(RODATA), psize);
            if (data.equals(MemorySegment.NULL)) {
                throw new BpfException("no " + RODATA + " initial value", 0);
            }
            data = data.reinterpret(psize.get(Libbpf.SIZE_T, 0));
            int offset = knob.offset();
            switch (knob.size()) {
                case 1 -> data.set(JAVA_BYTE, offset, (byte) value);
                case 2 -> data.set(JAVA_SHORT, offset, (short) value);
                case 4 -> data.set(JAVA_INT, offset, (int) value);
                case 8 -> data.set(JAVA_LONG, offset, value);
                default -> throw new BpfException("unsupported knob size " + knob.size() + " for " + variable, 0);
            }
        } catch (Throwable t) {
            throw Libbpf.fail("setRodata " + variable, t);
        }
    }

    /**
     * bpf_object__load. A program the verifier refuses raises {@link VerifierRejectedException}
     * with the tail of its verifier log; the object is then unusable and must be closed.
     */
    public void load() {
        checkNotLoaded();
        loaded = true;
        try (Arena logs = Arena.ofConfined()) {
            Map<String, MemorySegment> buffers = new LinkedHashMap<>();
            for (var e : programs.entrySet()) {
                MemorySegment buf = logs.allocate(VERIFIER_LOG_SIZE);
                int rc = (int) Libbpf.BPF_PROGRAM__SET_LOG_BUF.invokeExact(e.getValue(), buf, (long) VERIFIER_LOG_SIZE);
                check(rc, "bpf_program__set_log_buf");
                buffers.put(e.getKey(), buf);
            }
            int rc = (int) Libbpf.BPF_OBJECT__LOAD.invokeExact(obj);
            for (MemorySegment prog : programs.values()) {
                // libbpf must not keep a pointer into the arena we are about to close
                int ignored = (int) Libbpf.BPF_PROGRAM__SET_LOG_BUF.invokeExact(prog, MemorySegment.NULL, 0L);
            }
            if (rc < 0) {
                Map<String, String> verifierLogs = new LinkedHashMap<>();
                buffers.forEach((program, buf) -> verifierLogs.put(program, buf.getString(0)));
                throw VerifierLog.rejection(verifierLogs, LibbpfLog.recentLines(), -rc);
            }
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_object__load", t);
        }
    }

    /**
     * Attaches a BTF-typed tracepoint program ({@code SEC("tp_btf/...")}): the tracepoint was
     * resolved through BTF at load, so no tracefs is needed. The link is owned by this object.
     */
    public BpfLink attachTracing(String program) {
        checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            MemorySegment link = (MemorySegment) Libbpf.BPF_PROGRAM__ATTACH_TRACE.invokeExact(state, program(program));
            if (link.equals(MemorySegment.NULL)) {
                throw BpfException.of("attach " + program, Libbpf.errno(state));
            }
            return track(new BpfLink(this, link, program));
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_program__attach_trace", t);
        }
    }

    /**
     * Attaches a cgroup program with a bpf_link (multi-attach: programs others attached to the
     * same cgroup stay in place; the link goes away with the last fd, e.g. on SIGKILL).
     */
    public BpfLink attachCgroup(String program, Path cgroupDir) {
        checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            int fd = (int) Libbpf.OPEN.invokeExact(state, call.allocateFrom(cgroupDir.toString()),
                    Libbpf.O_RDONLY | Libbpf.O_DIRECTORY | Libbpf.O_CLOEXEC);
            if (fd < 0) {
                throw BpfException.of("open " + cgroupDir, Libbpf.errno(state));
            }
            try {
                MemorySegment link = (MemorySegment) Libbpf.BPF_PROGRAM__ATTACH_CGROUP.invokeExact(state, program(program), fd);
                if (link.equals(MemorySegment.NULL)) {
                    throw BpfException.of("attach " + program + " to cgroup " + cgroupDir, Libbpf.errno(state));
                }
                return track(new BpfLink(this, link, program));
            } finally {
                int ignored = (int) Libbpf.CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_program__attach_cgroup", t);
        }
    }

    /**
     * Attaches a netfilter program ({@code SEC("netfilter")}) as a hook of the calling thread's network namespace,
     * with a bpf_link made by the bpf syscall (libbpf 1.1 has no attach call for it): it goes away with its fd.
     *
     * @param protocolFamily NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10)
     * @param hook NF_INET_PRE_ROUTING (0), NF_INET_LOCAL_OUT (3), ...
     * @param priority the hook's priority (e.g. just after NF_IP_PRI_NAT_DST, -100)
     */
    public BpfLink attachNetfilter(String program, int protocolFamily, int hook, int priority) {
        checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            int progFd = (int) Libbpf.BPF_PROGRAM__FD.invokeExact(program(program));
            check(progFd, "bpf_program__fd " + program);
            MemorySegment attr = call.allocate(LINK_CREATE_ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, progFd);
            attr.set(JAVA_INT, 8, Libbpf.BPF_NETFILTER);
            attr.set(JAVA_INT, 16, protocolFamily);
            attr.set(JAVA_INT, 20, hook);
            attr.set(JAVA_INT, 24, priority);
            MemorySegment state = call.allocate(Libbpf.CAPTURE_LAYOUT);
            long fd = (long) Libbpf.SYSCALL_BPF.invokeExact(state, Libbpf.SYS_BPF, Libbpf.BPF_LINK_CREATE, attr,
                    LINK_CREATE_ATTR_SIZE);
            if (fd < 0) {
                throw BpfException.of("attach " + program + " to netfilter (pf " + protocolFamily + ", hook " + hook
                        + ", priority " + priority + ")", Libbpf.errno(state));
            }
            return track(new BpfLink(this, (int) fd, program));
        } catch (Throwable t) {
            throw Libbpf.fail("BPF_LINK_CREATE netfilter", t);
        }
    }

    /** The loaded map; the same instance for the same name. Valid until this object is closed. */
    public BpfMap map(String name) {
        checkLoaded();
        return maps.computeIfAbsent(name, n -> new BpfMap(n, mapPointer(n), arena));
    }

    /** Kernel-side facts about a loaded program: id and, with kernel.bpf_stats_enabled, run statistics. */
    public ProgramInfo programInfo(String program) {
        checkLoaded();
        try (Arena call = Arena.ofConfined()) {
            int fd = (int) Libbpf.BPF_PROGRAM__FD.invokeExact(program(program));
            check(fd, "bpf_program__fd " + program);
            MemorySegment info = call.allocate(ProgramInfo.INFO_SIZE);
            MemorySegment len = call.allocateFrom(JAVA_INT, ProgramInfo.INFO_SIZE);
            int rc = (int) Libbpf.BPF_OBJ_GET_INFO_BY_FD.invokeExact(fd, info, len);
            check(rc, "bpf_obj_get_info_by_fd " + program);
            return ProgramInfo.from(program, info);
        } catch (Throwable t) {
            throw Libbpf.fail("programInfo", t);
        }
    }

    void forget(BpfLink link) {
        links.remove(link);
    }

    private BpfLink track(BpfLink link) {
        links.add(link);
        return link;
    }

    private MemorySegment program(String name) {
        checkOpen();
        MemorySegment prog = programs.get(name);
        if (prog == null) {
            throw new BpfException("no program '" + name + "' in object", 0);
        }
        return prog;
    }

    private MemorySegment mapPointer(String name) {
        checkOpen();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment map = (MemorySegment) Libbpf.BPF_OBJECT__FIND_MAP_BY_NAME.invokeExact(obj, call.allocateFrom(name));
            if (map.equals(MemorySegment.NULL)) {
                throw new BpfException("no map '" + name + "' in object", 0);
            }
            return map;
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_object__find_map_by_name", t);
        }
    }

    static void check(int rc, String what) {
        if (rc < 0) {
            throw BpfException.of(what, rc);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("BPF object closed");
        }
    }

    private void checkNotLoaded() {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException("BPF object already loaded");
        }
    }

    private void checkLoaded() {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException("BPF object not loaded");
        }
    }

    /** Destroys every link, then the object (programs and maps go when their last fd does). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (BpfLink link : List.copyOf(links)) {
            link.close();
        }
        closed = true;
        try {
            Libbpf.BPF_OBJECT__CLOSE.invokeExact(obj);
        } catch (Throwable t) {
            throw Libbpf.fail("bpf_object__close", t);
        } finally {
            arena.close();
        }
    }
}
