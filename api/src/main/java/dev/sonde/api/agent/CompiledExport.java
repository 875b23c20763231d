package dev.sonde.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sonde.api.v1alpha1.OtlpProtocol;
import java.util.Objects;

/**
 * Where a monitor's per-pod metrics go.
 *
 * @param otlp OTLP push target, or null for none
 * @param prometheus whether the agent serves the monitor's metrics on /metrics
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledExport(Otlp otlp, boolean prometheus) {

    /** Prometheus only, the default when a monitor has no spec.export. */
    public static final CompiledExport PROMETHEUS_ONLY = new CompiledExport(null, true);

    /**
     * An OTLP target.
     *
     * @param endpoint receiver URL
     * @param protocol grpc or http/protobuf
     * @param headersSecret Secret whose keys and values are sent as headers, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Otlp(String endpoint, OtlpProtocol protocol, SecretRef headersSecret) {

        public Otlp {
            Objects.requireNonNull(endpoint, "endpoint");
            protocol = protocol == null ? OtlpProtocol.GRPC : protocol;
        }
    }

    /**
     * A Secret the agent reads.
     *
     * @param namespace its namespace
     * @param name its name
     */
    public record SecretRef(String namespace, String name) {

        public SecretRef {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }
    }
}
