package dev.sonde.agent.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.GaugeData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Collection;
import java.util.List;

/**
 * The OpenTelemetry SDK's public metric data interfaces as plain records. The agent's counts are cumulative
 * already (the kernel keeps them), so it hands finished points to the SDK's exporters instead of recording them
 * through instruments; the SDK's own implementations of these interfaces are internal API.
 */
final class OtelData {

    private OtelData() {
    }

    /**
     * A metric. The interface's typed accessors cast to the SDK's internal classes by default, so they are
     * overridden to cast to these records' interfaces instead.
     */
    @SuppressWarnings("unchecked")
    record Metric(Resource getResource, InstrumentationScopeInfo getInstrumentationScopeInfo, String getName,
            String getDescription, String getUnit, MetricDataType getType, Data<?> getData) implements MetricData {

        @Override
        public SumData<LongPointData> getLongSumData() {
            return getType == MetricDataType.LONG_SUM ? (SumData<LongPointData>) getData : Sum.empty();
        }

        @Override
        public SumData<DoublePointData> getDoubleSumData() {
            return getType == MetricDataType.DOUBLE_SUM ? (SumData<DoublePointData>) getData : Sum.empty();
        }

        @Override
        public GaugeData<LongPointData> getLongGaugeData() {
            return getType == MetricDataType.LONG_GAUGE ? (GaugeData<LongPointData>) getData : new Gauge<>(List.of());
        }

        @Override
        public GaugeData<DoublePointData> getDoubleGaugeData() {
            return getType == MetricDataType.DOUBLE_GAUGE ? (GaugeData<DoublePointData>) getData
                    : new Gauge<>(List.of());
        }

        @Override
        public HistogramData getHistogramData() {
            return getType == MetricDataType.HISTOGRAM ? (HistogramData) getData : new Histogram(List.of());
        }
    }

    record LongPoint(long getStartEpochNanos, long getEpochNanos, Attributes getAttributes, long getValue)
            implements LongPointData {

        @Override
        public List<LongExemplarData> getExemplars() {
            return List.of();
        }
    }

    record DoublePoint(long getStartEpochNanos, long getEpochNanos, Attributes getAttributes, double getValue)
            implements DoublePointData {

        @Override
        public List<DoubleExemplarData> getExemplars() {
            return List.of();
        }
    }

    /** Explicit-bucket histogram point: {@code getCounts} has one more entry than {@code getBoundaries}. */
    record HistogramPoint(long getStartEpochNanos, long getEpochNanos, Attributes getAttributes, double getSum,
            long getCount, List<Double> getBoundaries, List<Long> getCounts) implements HistogramPointData {

        @Override
        public boolean hasMin() {
            return false;
        }

        @Override
        public double getMin() {
            return Double.NaN;
        }

        @Override
        public boolean hasMax() {
            return false;
        }

        @Override
        public double getMax() {
            return Double.NaN;
        }

        @Override
        public List<DoubleExemplarData> getExemplars() {
            return List.of();
        }
    }

    record Sum<T extends io.opentelemetry.sdk.metrics.data.PointData>(Collection<T> getPoints, boolean isMonotonic)
            implements SumData<T> {

        static <T extends io.opentelemetry.sdk.metrics.data.PointData> Sum<T> empty() {
            return new Sum<>(List.of(), true);
        }

        @Override
        public AggregationTemporality getAggregationTemporality() {
            return AggregationTemporality.CUMULATIVE;
        }
    }

    record Gauge<T extends io.opentelemetry.sdk.metrics.data.PointData>(Collection<T> getPoints)
            implements GaugeData<T> {
    }

    record Histogram(Collection<HistogramPointData> getPoints) implements HistogramData {

        @Override
        public AggregationTemporality getAggregationTemporality() {
            return AggregationTemporality.CUMULATIVE;
        }
    }
}
