package dev.sonde.agent.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes metric data in the Prometheus text exposition format (version 0.0.4), naming metrics the way
 * OpenTelemetry's Prometheus compatibility rules do: dots become underscores, the unit becomes a suffix
 * ({@code s} -> {@code _seconds}, {@code By} -> {@code _bytes}; annotations like {@code {connection}} are dropped),
 * monotonic sums get {@code _total}. Resource and point attributes both become labels.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** The exposition of all metrics, grouped into one family per name as the format requires. */
    public static String write(Collection<MetricData> metrics) {
        Map<String, List<MetricData>> families = new LinkedHashMap<>();
        metrics.forEach(m -> families.computeIfAbsent(m.getName(), n -> new ArrayList<>()).add(m));
        StringBuilder out = new StringBuilder();
        families.values().forEach(family -> writeFamily(out, family));
        return out.toString();
    }

    /** The Prometheus name of an OpenTelemetry metric (without the {@code _bucket}/{@code _sum}/... suffixes). */
    public static String name(MetricData metric) {
        String name = sanitize(metric.getName());
        String unit = switch (metric.getUnit()) {
            case "s" -> "seconds";
            case "By" -> "bytes";
            case "ms" -> "milliseconds";
            case "1" -> "ratio";
            default -> "";
        };
        if (!unit.isEmpty() && !name.endsWith("_" + unit)) {
            name += "_" + unit;
        }
        if (isCounter(metric)) {
            name += "_total";
        }
        return name;
    }

    private static void writeFamily(StringBuilder out, List<MetricData> family) {
        MetricData first = family.getFirst();
        String name = name(first);
        String type = first.getType() == MetricDataType.HISTOGRAM ? "histogram" : isCounter(first) ? "counter"
                : "gauge";
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(first.getDescription())).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (MetricData metric : family) {
            for (PointData point : metric.getData().getPoints()) {
                String labels = labels(metric.getResource().getAttributes(), point.getAttributes());
                switch (point) {
                    case HistogramPointData h -> writeHistogram(out, name, labels, h);
                    case io.opentelemetry.sdk.metrics.data.LongPointData l ->
                            sample(out, name, labels, Long.toString(l.getValue()));
                    case io.opentelemetry.sdk.metrics.data.DoublePointData d ->
                            sample(out, name, labels, number(d.getValue()));
                    default -> throw new IllegalArgumentException("no Prometheus form for " + point);
                }
            }
        }
    }

    private static void writeHistogram(StringBuilder out, String name, String labels, HistogramPointData h) {
        long cumulative = 0;
        List<Double> bounds = h.getBoundaries();
        List<Long> counts = h.getCounts();
        String prefix = labels.isEmpty() ? "" : labels + ",";
        for (int i = 0; i < counts.size(); i++) {
            cumulative += counts.get(i);
            String le = i < bounds.size() ? number(bounds.get(i)) : "+Inf";
            sample(out, name + "_bucket", prefix + "le=\"" + le + "\"", Long.toString(cumulative));
        }
        sample(out, name + "_sum", labels, number(h.getSum()));
        sample(out, name + "_count", labels, Long.toString(h.getCount()));
    }

    private static void sample(StringBuilder out, String name, String labels, String value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private static String labels(Attributes resource, Attributes point) {
        Map<String, String> labels = new LinkedHashMap<>();
        resource.forEach((key, value) -> labels.put(sanitize(key.getKey()), String.valueOf(value)));
        point.forEach((key, value) -> labels.put(sanitize(key.getKey()), String.valueOf(value)));
        StringBuilder b = new StringBuilder();
        labels.forEach((key, value) -> {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(key).append("=\"").append(escapeLabel(value)).append('"');
        });
        return b.toString();
    }

    private static boolean isCounter(MetricData metric) {
        return switch (metric.getType()) {
            case LONG_SUM -> metric.getLongSumData().isMonotonic();
            case DOUBLE_SUM -> metric.getDoubleSumData().isMonotonic();
            default -> false;
        };
    }

    /** Metric and label names: [a-zA-Z0-9_], not starting with a digit. */
    static String sanitize(String name) {
        String s = name.replaceAll("[^a-zA-Z0-9_]", "_");
        return !s.isEmpty() && Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    /** Shortest exact decimal of a double: 0.000001, not 1.0E-6. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
