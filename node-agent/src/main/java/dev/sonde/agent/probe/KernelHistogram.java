package dev.sonde.agent.probe;

import dev.sonde.api.v1alpha1.Log2Histogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A log2 histogram of microseconds in the kernel's layout ({@code log2_bucket} in {@code bpf/include/helpers.h}):
 * bucket 0 holds 0, bucket i holds [2^(i-1), 2^i). {@code sumMicros} is the exact sum of the recorded values. The
 * agent adds, subtracts and exports it in this layout (the Prometheus/OTLP boundaries are its upper bounds); the
 * AgentReport carries the API's {@link Log2Histogram}, made by {@link #toApi()}, the one place the layout changes.
 */
public final class KernelHistogram {
    public static final int BUCKETS = 32;
    public static final KernelHistogram EMPTY = new KernelHistogram(new long[BUCKETS], 0);

    /** Never handed out nor changed after construction. */
    private final long[] counts;
    private final long sumMicros;

    /** @param counts copied: the histogram never changes */
    public KernelHistogram(long[] counts, long sumMicros) {
        this(sumMicros, counts.clone());
    }

    /** Takes {@code counts} as it is: for arrays nobody else holds. */
    private KernelHistogram(long sumMicros, long[] counts) {
        if (counts.length != BUCKETS) {
            throw new IllegalArgumentException("need " + BUCKETS + " buckets");
        }
        this.counts = counts;
        this.sumMicros = sumMicros;
    }

    /** A copy of the buckets. */
    public long[] counts() {
        return counts.clone();
    }

    public long sumMicros() {
        return sumMicros;
    }

    public long count(int bucket) {
        return counts[bucket];
    }

    public long total() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /** Whether nothing was recorded. */
    public boolean isEmpty() {
        if (sumMicros != 0) {
            return false;
        }
        for (long c : counts) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }

    /** Exclusive upper bound of a bucket in microseconds (bucket 0: 1). */
    public static long upperBoundMicros(int bucket) {
        return 1L << bucket;
    }

    public KernelHistogram plus(KernelHistogram other) {
        if (other.isEmpty()) {
            return this;
        }
        return isEmpty() ? other : combine(other, 1);
    }

    /** this - earlier, for cumulative histograms of the same source. */
    public KernelHistogram minus(KernelHistogram earlier) {
        if (earlier.isEmpty()) {
            return this;
        }
        return equals(earlier) ? EMPTY : combine(earlier, -1);
    }

    private KernelHistogram combine(KernelHistogram other, long sign) {
        long[] result = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            result[i] = counts[i] + sign * other.counts[i];
        }
        return new KernelHistogram(sumMicros + sign * other.sumMicros, result);
    }

    /**
     * In the API's layout (bucket 0 holds [0, 2), bucket j holds [2^j, 2^(j+1))): kernel buckets 0 and 1 make API
     * bucket 0, kernel bucket j + 1 is API bucket j. No count moves across a bucket boundary, so nodes still merge
     * exactly. Trailing empty buckets are left out; an empty histogram has none.
     */
    public Log2Histogram toApi() {
        int last = BUCKETS - 1;
        while (last > 1 && counts[last] == 0) {
            last--;
        }
        List<Long> buckets = new ArrayList<>();
        buckets.add(counts[0] + counts[1]);
        for (int i = 2; i <= last; i++) {
            buckets.add(counts[i]);
        }
        if (buckets.size() == 1 && buckets.get(0) == 0) {
            buckets.clear();
        }
        return new Log2Histogram(Log2Histogram.MICROSECONDS, buckets, sumMicros);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelHistogram h && h.sumMicros == sumMicros && Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Long.hashCode(sumMicros);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("KernelHistogram{total=").append(total()).append(", sumMicros=")
                .append(sumMicros);
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                b.append(", <").append(upperBoundMicros(i)).append("us=").append(counts[i]);
            }
        }
        return b.append('}').toString();
    }
}
