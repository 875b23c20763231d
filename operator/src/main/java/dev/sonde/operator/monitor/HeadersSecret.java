package dev.sonde.operator.monitor;

import dev.sonde.api.agent.OtlpHeaders;
import dev.sonde.api.v1alpha1.NetworkMonitor;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A monitor's {@code spec.export.otlp.headersSecretRef}, read with one {@code get} in the monitor's own namespace
 * (the reference has no namespace, so a tenant can name only Secrets of its own namespace) and judged. Both the
 * fleet (which copies the headers for the agents) and the monitor's status use it, so they judge alike.
 */
public final class HeadersSecret {

    private HeadersSecret() {
    }

    /** What the Secret gave. */
    public sealed interface Resolution {
    }

    /** The headers can be sent. Never logged or printed: {@code toString} leaves the values out. */
    public record Valid(Map<String, String> headers) implements Resolution {

        @Override
        public String toString() {
            return "Valid" + headers.keySet();
        }
    }

    /** The headers can't be used; {@code reason} is the monitor's Ready=False reason. */
    public record Problem(String reason, String message) implements Resolution {
    }

    /** The referenced Secret's name, if the monitor has one. */
    public static Optional<String> referenced(NetworkMonitor monitor) {
        var export = monitor.getSpec() == null ? null : monitor.getSpec().getExport();
        if (export == null || export.getOtlp() == null || export.getOtlp().getHeadersSecretRef() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(export.getOtlp().getHeadersSecretRef().getName());
    }

    /** Reads the referenced Secret in the monitor's namespace; empty when the monitor references none. */
    public static Optional<Resolution> read(KubernetesClient client, NetworkMonitor monitor) {
        return referenced(monitor).map(name -> {
            String namespace = monitor.getMetadata().getNamespace();
            try {
                return judge(name, client.secrets().inNamespace(namespace).withName(name).get());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 403) {
                    return new Problem(Reasons.HEADERS_SECRET_FORBIDDEN, "the operator may not get Secret " + name
                            + " in " + namespace + ": give the ServiceAccount sonde-operator get on secrets in this "
                            + "namespace (see config/rbac/README.md)");
                }
                throw e;
            }
        });
    }

    /** Judges a Secret (null: it does not exist); pure. Messages name keys, never values. */
    public static Resolution judge(String name, Secret secret) {
        if (secret == null || secret.getMetadata().getDeletionTimestamp() != null) {
            return new Problem(Reasons.HEADERS_SECRET_NOT_FOUND, "Secret " + name + " (headersSecretRef) does not "
                    + "exist in the monitor's namespace; OTLP export waits for it");
        }
        Map<String, String> headers = new TreeMap<>();
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        for (Map.Entry<String, String> entry : data.entrySet()) {
            String value = decode(entry.getValue());
            if (value == null) {
                return invalid(name, List.of("the value of key '" + entry.getKey() + "' is not UTF-8 text"));
            }
            headers.put(entry.getKey(), value);
        }
        // stringData is write-only in the API; a Secret read back has it in data, but a test object may not
        if (secret.getStringData() != null) {
            headers.putAll(secret.getStringData());
        }
        List<String> problems = OtlpHeaders.problems(headers);
        return problems.isEmpty() ? new Valid(Map.copyOf(headers)) : invalid(name, problems);
    }

    private static Problem invalid(String name, List<String> problems) {
        return new Problem(Reasons.INVALID_HEADERS_SECRET, "Secret " + name + " (headersSecretRef) can't be sent as "
                + "OTLP headers: " + String.join("; ", problems) + "; the agents keep its last valid headers, if any");
    }

    private static String decode(String base64) {
        try {
            byte[] bytes = Base64.getDecoder().decode(base64 == null ? "" : base64);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }
}
