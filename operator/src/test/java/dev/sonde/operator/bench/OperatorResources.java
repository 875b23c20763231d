package dev.sonde.operator.bench;

import dev.sonde.operator.it.OperatorProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the operator JVM every two seconds: heap in use and live after GC (its own /metrics), RSS ({@code VmRSS}
 * in /proc) and CPU time (/proc stat), keeping the peaks since the last {@link #resetPeaks()}.
 */
final class OperatorResources implements AutoCloseable {

    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final OperatorProcess operator;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "operator-sampler");
        t.setDaemon(true);
        return t;
    });
    private volatile double heapPeak;
    private volatile double rssPeak;
    private volatile double heapLast;
    private volatile double rssLast;
    private volatile double liveLast;

    OperatorResources(OperatorProcess operator) {
        this.operator = operator;
        sampler.scheduleAtFixedRate(this::sample, 0, 2, TimeUnit.SECONDS);
    }

    synchronized void resetPeaks() {
        heapPeak = heapLast;
        rssPeak = rssLast;
    }

    double heapPeakBytes() {
        return heapPeak;
    }

    double rssPeakBytes() {
        return rssPeak;
    }

    /** Old-generation heap live after the last major GC (Micrometer's jvm_gc_live_data_size_bytes). */
    double liveHeapBytes() {
        return liveLast;
    }

    double heapBytes() {
        return heapLast;
    }

    /**
     * The heap the operator's objects really hold: {@code jcmd GC.class_histogram} runs a full GC first and totals
     * what survived. A full GC perturbs what follows, so only at the end of a run.
     */
    double liveHeapAfterFullGcBytes() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(operator.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd GC.class_histogram failed: " + output);
        }
        // the last line: "Total <instances> <bytes>"
        return output.lines().filter(l -> l.startsWith("Total")).findFirst()
                .map(l -> Double.parseDouble(l.trim().split("\\s+")[2]))
                .orElseThrow(() -> new IOException("no Total in jcmd GC.class_histogram: " + output));
    }

    double rssBytes() {
        return rssLast;
    }

    /** User + system CPU seconds the operator JVM used so far. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(operator.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14 and stime 15 in proc(5) numbering
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private synchronized void sample() {
        try {
            String metrics = operator.metrics();
            heapLast = OperatorProcess.sample(metrics, "jvm_memory_used_bytes", "area=\"heap\"");
            liveLast = OperatorProcess.sample(metrics, "jvm_gc_live_data_size_bytes", "");
            heapPeak = Math.max(heapPeak, heapLast);
        } catch (RuntimeException e) {
            // the operator may be busy or starting; the next sample counts
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(operator.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssLast = Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
                    rssPeak = Math.max(rssPeak, rssLast);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
