package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Log2HistogramTest {

    @Test
    void quantilesUseBucketUpperBounds() {
        long[] counts = new long[Log2Histogram.BUCKETS];
        counts[5] = 90; // [16, 32) us
        counts[10] = 10; // [512, 1024) us
        Log2Histogram h = new Log2Histogram(counts, 90 * 20 + 10 * 600);
        assertThat(h.total()).isEqualTo(100);
        assertThat(h.quantileUpperBoundMicros(0.5)).isEqualTo(32);
        assertThat(h.quantileUpperBoundMicros(0.9)).isEqualTo(32);
        assertThat(h.quantileUpperBoundMicros(0.99)).isEqualTo(1024);
        assertThat(Log2Histogram.EMPTY.quantileUpperBoundMicros(0.99)).isZero();
    }

    @Test
    void mergesExactly() {
        long[] a = new long[Log2Histogram.BUCKETS];
        long[] b = new long[Log2Histogram.BUCKETS];
        a[1] = 2;
        b[1] = 3;
        b[31] = 1;
        Log2Histogram sum = new Log2Histogram(a, 2).plus(new Log2Histogram(b, 100));
        assertThat(sum.count(1)).isEqualTo(5);
        assertThat(sum.count(31)).isEqualTo(1);
        assertThat(sum.sumMicros()).isEqualTo(102);
    }
}
