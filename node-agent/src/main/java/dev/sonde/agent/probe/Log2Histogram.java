package dev.sonde.agent.probe;

import java.util.Arrays;

/**
 * A log2 histogram of microseconds as the kernel keeps it: bucket 0 holds 0, bucket i holds
 * [2^(i-1), 2^i). {@code sumMicros} is the exact sum of the recorded values.
 */
public record Log2Histogram(long[] counts, long sumMicros) {
    public static final int BUCKETS = 32;
    public static final Log2Histogram EMPTY = new Log2Histogram(new long[BUCKETS], 0);

    public Log2Histogram {
        if (counts.length != BUCKETS) {
            throw new IllegalArgumentException("need " + BUCKETS + " buckets");
        }
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    public long count(int bucket) {
        return counts[bucket];
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    /** Exclusive upper bound of a bucket in microseconds (bucket 0: 1). */
    public static long upperBoundMicros(int bucket) {
        return 1L << bucket;
    }

    /** Upper bound of the bucket holding quantile q (0..1); 0 when empty. */
    public long quantileUpperBoundMicros(double q) {
        long total = total();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return upperBoundMicros(i);
            }
        }
        return upperBoundMicros(BUCKETS - 1);
    }

    public Log2Histogram plus(Log2Histogram other) {
        long[] sum = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            sum[i] = counts[i] + other.counts[i];
        }
        return new Log2Histogram(sum, sumMicros + other.sumMicros);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log2Histogram h && h.sumMicros == sumMicros && Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Long.hashCode(sumMicros);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Log2Histogram{total=").append(total()).append(", sumMicros=").append(sumMicros);
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                b.append(", <").append(upperBoundMicros(i)).append("us=").append(counts[i]);
            }
        }
        return b.append('}').toString();
    }
}
