package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** OTLP transport, named as in the OpenTelemetry {@code OTEL_EXPORTER_OTLP_PROTOCOL} setting. */
public enum OtlpProtocol {
    @JsonProperty("grpc")
    GRPC,
    @JsonProperty("http/protobuf")
    HTTP_PROTOBUF
}
