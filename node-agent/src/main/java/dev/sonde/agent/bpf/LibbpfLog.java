package dev.sonde.agent.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's print callback into slf4j and keeps the most recent lines, so a failure can
 * quote what libbpf said. Installed once per JVM ({@link #install()}); the upcall never throws.
 */
public final class LibbpfLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sonde.agent.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int KEEP_LINES = 64;
    private static final int LINE_BUFFER = 4096;

    private static final ArrayDeque<String> RECENT = new ArrayDeque<>();
    private static volatile boolean installed;

    private LibbpfLog() {
    }

    /** Idempotent; called by every entry point of the binding before the first libbpf call. */
    public static void install() {
        if (installed) {
            return;
        }
        synchronized (LibbpfLog.class) {
            if (installed) {
                return;
            }
            try {
                var target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                        MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
                MemorySegment stub = Libbpf.LINKER.upcallStub(target,
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
                MemorySegment previous = (MemorySegment) Libbpf.LIBBPF_SET_PRINT.invokeExact(stub);
                installed = true;
            } catch (Throwable t) {
                throw Libbpf.fail("libbpf_set_print", t);
            }
        }
    }

    /** The last lines libbpf printed (any thread), oldest first. */
    public static List<String> recentLines() {
        synchronized (RECENT) {
            return new ArrayList<>(RECENT);
        }
    }

    /** Upcall target: int (*)(enum libbpf_print_level, const char *fmt, va_list ap). */
    private static int print(int level, MemorySegment fmt, MemorySegment vaList) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(LINE_BUFFER);
            int n = (int) Libbpf.VSNPRINTF.invokeExact(buf, (long) LINE_BUFFER, fmt, vaList);
            if (n < 0) {
                return 0;
            }
            for (String line : buf.getString(0).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                remember(line);
                switch (level) {
                    case LIBBPF_WARN -> LOG.warn("{}", line);
                    case LIBBPF_INFO -> LOG.info("{}", line);
                    default -> LOG.debug("{}", line);
                }
            }
            return n;
        } catch (Throwable t) {
            // an exception must not unwind into libbpf's C frames
            return 0;
        }
    }

    private static void remember(String line) {
        synchronized (RECENT) {
            if (RECENT.size() == KEEP_LINES) {
                RECENT.removeFirst();
            }
            RECENT.addLast(line);
        }
    }
}
