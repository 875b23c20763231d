package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelHistogramTest {

    @Test
    void addsAndSubtractsExactly() {
        long[] a = new long[KernelHistogram.BUCKETS];
        long[] b = new long[KernelHistogram.BUCKETS];
        a[1] = 2;
        b[1] = 3;
        b[31] = 1;
        KernelHistogram sum = new KernelHistogram(a, 2).plus(new KernelHistogram(b, 100));
        assertThat(sum.count(1)).isEqualTo(5);
        assertThat(sum.count(31)).isEqualTo(1);
        assertThat(sum.sumMicros()).isEqualTo(102);
        assertThat(sum.total()).isEqualTo(6);
        assertThat(sum.minus(new KernelHistogram(b, 100))).isEqualTo(new KernelHistogram(a, 2));
    }

    @Test
    void emptyOperandsAndEqualCumulativesNeedNoArithmetic() {
        long[] a = new long[KernelHistogram.BUCKETS];
        a[3] = 4;
        KernelHistogram h = new KernelHistogram(a, 40);
        assertThat(h.plus(KernelHistogram.EMPTY)).isSameAs(h);
        assertThat(KernelHistogram.EMPTY.plus(h)).isSameAs(h);
        assertThat(h.minus(KernelHistogram.EMPTY)).isSameAs(h);
        assertThat(h.minus(new KernelHistogram(a, 40)).isEmpty()).isTrue();
        long[] cancelling = new long[KernelHistogram.BUCKETS];
        cancelling[1] = 1;
        cancelling[2] = -1;
        assertThat(new KernelHistogram(cancelling, 0).isEmpty()).as("counts that sum to 0 are not empty").isFalse();

        a[3] = 99; // the histogram copied the array it was given
        assertThat(h.count(3)).isEqualTo(4);
        h.counts()[3] = 99; // and hands out copies
        assertThat(h.count(3)).isEqualTo(4);
    }

    @Test
    void quantilesComeFromTheApiLayout() {
        long[] counts = new long[KernelHistogram.BUCKETS];
        counts[5] = 90; // [16, 32) us
        counts[10] = 10; // [512, 1024) us
        KernelHistogram h = new KernelHistogram(counts, 90 * 20 + 10 * 600);
        // API bucket 4 is [16, 32), bucket 9 is [512, 1024): the median interpolates inside the first
        assertThat(h.toApi().quantile(0.5)).isBetween(16.0, 32.0);
        assertThat(h.toApi().quantile(0.99)).isBetween(512.0, 1024.0);
        assertThat(KernelHistogram.EMPTY.toApi().quantile(0.99)).isNaN();
    }
}
