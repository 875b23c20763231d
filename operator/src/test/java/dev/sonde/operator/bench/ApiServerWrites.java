package dev.sonde.operator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Write requests (POST, PUT, PATCH, APPLY) the API server counted ({@code apiserver_request_total} on its own
 * /metrics, read with the admin client), keyed by {@code resource} or {@code resource/subresource}. Deltas of two
 * snapshots are what a phase wrote.
 */
final class ApiServerWrites {

    static final Set<String> WRITE_VERBS = Set.of("POST", "PUT", "PATCH", "APPLY");
    private static final Pattern SAMPLE = Pattern.compile("^apiserver_request_total\\{([^}]*)\\} (\\S+)$",
            Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private ApiServerWrites() {
    }

    /** Writes so far by resource[/subresource], over every group, user and response code. */
    static Map<String, Double> snapshot(KubernetesClient admin) {
        String text = admin.raw("/metrics");
        Map<String, Double> writes = new TreeMap<>();
        if (text == null) {
            return writes;
        }
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            Map<String, String> labels = new TreeMap<>();
            Matcher l = LABEL.matcher(m.group(1));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            if (!WRITE_VERBS.contains(labels.get("verb")) || labels.getOrDefault("resource", "").isEmpty()) {
                continue;
            }
            String sub = labels.getOrDefault("subresource", "");
            String key = labels.get("resource") + (sub.isEmpty() ? "" : "/" + sub);
            writes.merge(key, Double.parseDouble(m.group(2)), Double::sum);
        }
        return writes;
    }

    static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    static double total(Map<String, Double> before, Map<String, Double> after) {
        return after.values().stream().mapToDouble(Double::doubleValue).sum()
                - before.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
