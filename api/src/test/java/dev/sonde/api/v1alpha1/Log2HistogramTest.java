package dev.sonde.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Log2HistogramTest {

    /** Builds a histogram the way the kernel does, one value at a time. */
    private static Log2Histogram record(long... values) {
        List<Long> buckets = new ArrayList<>();
        long sum = 0;
        for (long value : values) {
            int bucket = Log2Histogram.bucketOf(value);
            while (buckets.size() <= bucket) {
                buckets.add(0L);
            }
            buckets.set(bucket, buckets.get(bucket) + 1);
            sum += value;
        }
        return new Log2Histogram(Log2Histogram.MICROSECONDS, buckets, sum);
    }

    @Test
    void bucketBoundsArePowersOfTwo() {
        assertThat(Log2Histogram.bucketOf(0)).isZero();
        assertThat(Log2Histogram.bucketOf(1)).isZero();
        assertThat(Log2Histogram.bucketOf(2)).isEqualTo(1);
        assertThat(Log2Histogram.bucketOf(3)).isEqualTo(1);
        assertThat(Log2Histogram.bucketOf(4)).isEqualTo(2);
        assertThat(Log2Histogram.bucketOf(1023)).isEqualTo(9);
        assertThat(Log2Histogram.bucketOf(1024)).isEqualTo(10);
        assertThat(Log2Histogram.bucketOf(Long.MAX_VALUE)).isEqualTo(62);
        for (int i = 1; i < 62; i++) {
            long lower = (long) Log2Histogram.lowerBound(i);
            assertThat(Log2Histogram.bucketOf(lower)).isEqualTo(i);
            assertThat(Log2Histogram.bucketOf(lower - 1)).isEqualTo(i - 1);
        }
    }

    @Test
    void mergingNodesEqualsRecordingEverythingOnOneNode() {
        Random random = new Random(7);
        long[] nodeA = random.longs(500, 0, 1_000_000).toArray();
        long[] nodeB = random.longs(300, 0, 50_000).toArray();
        long[] both = new long[nodeA.length + nodeB.length];
        System.arraycopy(nodeA, 0, both, 0, nodeA.length);
        System.arraycopy(nodeB, 0, both, nodeA.length, nodeB.length);

        Log2Histogram merged = record(nodeA).merge(record(nodeB));

        assertThat(merged).isEqualTo(record(both));
        assertThat(merged.count()).isEqualTo(800);
    }

    @Test
    void quantileFallsInTheBucketOfTheTrueQuantile() {
        long[] values = new Random(11).longs(10_000, 1, 2_000_000).sorted().toArray();
        Log2Histogram histogram = record(values);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            long exact = values[(int) Math.ceil(q * values.length) - 1];
            int bucket = Log2Histogram.bucketOf(exact);
            assertThat(histogram.quantile(q))
                    .as("p%s", q * 100)
                    .isBetween(Log2Histogram.lowerBound(bucket), Log2Histogram.upperBound(bucket));
        }
    }

    @Test
    void quantileInterpolatesWithinABucket() {
        // 4 values in [8, 16): the median is halfway through the bucket.
        Log2Histogram histogram = new Log2Histogram("us", List.of(0L, 0L, 0L, 4L), 40L);
        assertThat(histogram.quantile(0.5)).isCloseTo(12.0, within(1e-9));
        assertThat(histogram.quantile(1.0)).isCloseTo(16.0, within(1e-9));
    }

    @Test
    void emptyHistogramHasNoQuantile() {
        assertThat(new Log2Histogram("us", List.of(), 0L).quantile(0.99)).isNaN();
    }

    @Test
    void unitsMustMatchToMerge() {
        Log2Histogram micros = new Log2Histogram("us", List.of(1L), 1L);
        Log2Histogram nanos = new Log2Histogram("ns", List.of(1L), 1L);
        assertThatThrownBy(() -> micros.merge(nanos)).isInstanceOf(IllegalArgumentException.class);
    }
}
