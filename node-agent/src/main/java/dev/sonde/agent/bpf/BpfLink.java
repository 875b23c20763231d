package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An attachment (bpf_link) of one program; {@link #close()} detaches it. Either a libbpf {@code struct bpf_link}, or a
 * link fd made with the bpf syscall for attach kinds our libbpf predates (netfilter).
 */
public final class BpfLink implements AutoCloseable {
    private static final int LINK_INFO_SIZE = 48;

    private final BpfObject owner;
    private final MemorySegment link;
    private final int fd;
    private final String program;
    private boolean closed;

    /** A libbpf link. */
    BpfLink(BpfObject owner, MemorySegment link, String program) {
        this(owner, link, -1, program);
    }

    /** A link fd from BPF_LINK_CREATE, owned by this object. */
    BpfLink(BpfObject owner, int fd, String program) {
        this(owner, MemorySegment.NULL, fd, program);
    }

    private BpfLink(BpfObject owner, MemorySegment link, int fd, String program) {
        this.owner = owner;
        this.link = link;
        this.fd = fd;
        this.program = program;
    }

    public String program() {
        return program;
    }

    /** The kernel's link id, as {@code bpftool link show} lists it. */
    public int id() {
        try (Arena call = Arena.ofConfined()) {
            int linkFd = fd >= 0 ? fd : (int) Libbpf.BPF_LINK__FD.invokeExact(link);
            BpfObject.check(linkFd, "bpf_link__fd");
            MemorySegment info = call.allocate(LINK_INFO_SIZE);
            MemorySegment len = call.allocateFrom(JAVA_INT, LINK_INFO_SIZE);
            int rc = (int) Libbpf.BPF_OBJ_GET_INFO_BY_FD.invokeExact(linkFd, info, len);
            BpfObject.check(rc, "bpf_obj_get_info_by_fd (link)");
            return info.get(JAVA_INT, 4); // struct bpf_link_info { __u32 type; __u32 id; ...}
        } catch (Throwable t) {
            throw Libbpf.fail("link id", t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.forget(this);
        try {
            int rc = fd >= 0 ? (int) Libbpf.CLOSE.invokeExact(fd) : (int) Libbpf.BPF_LINK__DESTROY.invokeExact(link);
            BpfObject.check(rc, "detach " + program);
        } catch (Throwable t) {
            throw Libbpf.fail("detach " + program, t);
        }
    }
}
