package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A base-2 histogram as the kernel keeps it: bucket {@code i} counts values in {@code [2^i, 2^(i+1))} of
 * {@link #getUnit() unit}, except bucket 0, which counts {@code [0, 2)}. Histograms of the same unit merge
 * exactly by adding buckets, which is how the operator sums nodes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Log2Histogram {

    /** Unit of latency histograms: microseconds. */
    public static final String MICROSECONDS = "us";

    /** At most 64 buckets: a 64-bit value falls in bucket 63 at most. */
    public static final int MAX_BUCKETS = 64;

    @JsonPropertyDescription("Unit of the values: us (microseconds) for every latency histogram.")
    private String unit;

    @JsonPropertyDescription("Counts per bucket: bucket i counts values in [2^i, 2^(i+1)) units, bucket 0 counts [0, "
            + "2). Trailing empty buckets are left out.")
    @Size(max = MAX_BUCKETS)
    private List<Long> buckets = new ArrayList<>();

    @JsonPropertyDescription("Sum of all values, in unit, for the mean.")
    private Long sum;

    public Log2Histogram() {
    }

    public Log2Histogram(String unit, List<Long> buckets, Long sum) {
        this.unit = unit;
        this.buckets = new ArrayList<>(buckets);
        this.sum = sum;
    }

    /** The bucket a value falls in. */
    public static int bucketOf(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value: " + value);
        }
        return value < 2 ? 0 : 63 - Long.numberOfLeadingZeros(value);
    }

    /** Inclusive lower bound of bucket {@code i}, in unit. */
    public static double lowerBound(int i) {
        return i == 0 ? 0 : Math.scalb(1.0, i);
    }

    /** Exclusive upper bound of bucket {@code i}, in unit. */
    public static double upperBound(int i) {
        return Math.scalb(1.0, i + 1);
    }

    /** Number of values counted. */
    public long count() {
        long count = 0;
        for (Long bucket : buckets) {
            count += bucket == null ? 0 : bucket;
        }
        return count;
    }

    /** A new histogram with both histograms' counts; both must have the same unit. */
    public Log2Histogram merge(Log2Histogram other) {
        if (!Objects.equals(unit, other.unit)) {
            throw new IllegalArgumentException("cannot merge histograms in " + unit + " and " + other.unit);
        }
        int size = Math.max(buckets.size(), other.buckets.size());
        List<Long> merged = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            merged.add(at(i) + other.at(i));
        }
        long mergedSum = (sum == null ? 0 : sum) + (other.sum == null ? 0 : other.sum);
        return new Log2Histogram(unit, merged, mergedSum);
    }

    /**
     * The {@code q}-quantile (0 &lt; q &lt;= 1) in unit, interpolated linearly inside the bucket it falls in;
     * NaN when the histogram is empty. Exact to within the bucket's width, a factor of two.
     */
    public double quantile(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1]: " + q);
        }
        long count = count();
        if (count == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        long below = 0;
        for (int i = 0; i < buckets.size(); i++) {
            long inBucket = at(i);
            if (inBucket > 0 && below + inBucket >= rank) {
                double fraction = (rank - below) / inBucket;
                return lowerBound(i) + fraction * (upperBound(i) - lowerBound(i));
            }
            below += inBucket;
        }
        return upperBound(buckets.size() - 1);
    }

    private long at(int i) {
        Long bucket = i < buckets.size() ? buckets.get(i) : null;
        return bucket == null ? 0 : bucket;
    }

    public String getUnit() {
        return unit;
    }

    public void setUnit(String unit) {
        this.unit = unit;
    }

    public List<Long> getBuckets() {
        return buckets;
    }

    public void setBuckets(List<Long> buckets) {
        this.buckets = buckets;
    }

    public Long getSum() {
        return sum;
    }

    public void setSum(Long sum) {
        this.sum = sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log2Histogram that
                && Objects.equals(unit, that.unit)
                && Objects.equals(buckets, that.buckets)
                && Objects.equals(sum, that.sum);
    }

    @Override
    public int hashCode() {
        return Objects.hash(unit, buckets, sum);
    }

    @Override
    public String toString() {
        return "Log2Histogram{unit=" + unit + ", buckets=" + buckets + ", sum=" + sum + "}";
    }
}
