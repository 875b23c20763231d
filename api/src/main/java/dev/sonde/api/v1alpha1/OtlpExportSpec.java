package dev.sonde.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Where and how the agents push the monitor's per-pod metrics over OTLP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// Every reader of the namespace sees the spec; an '@' before the path is where a URL keeps user:password. On the
// object, not the field, so the API server's answer names the field without echoing the password.
@ValidationRule(fieldPath = ".endpoint",
        value = "!has(self.endpoint) || !self.endpoint.matches('^[A-Za-z][-A-Za-z0-9+.]*://[^/?#]*@')",
        message = "endpoint must not carry credentials (user:password@); put them in a Secret and reference it with "
                + "headersSecretRef")
public class OtlpExportSpec {

    @JsonPropertyDescription("OTLP receiver URL, e.g. http://otel-collector.observability:4317 for grpc or "
            + "http://otel-collector.observability:4318 for http/protobuf (the agent appends /v1/metrics). Use https:// for "
            + "TLS. No user:password@ in the URL: credentials go in the Secret of headersSecretRef.")
    @Required
    @Size(min = 1, max = 2048)
    @ValidationRule(value = "isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",
            message = "endpoint must be an absolute http:// or https:// URL, e.g. http://otel-collector.observability:4317")
    private String endpoint;

    @JsonPropertyDescription("OTLP transport: grpc or http/protobuf. Default: grpc.")
    @Default("grpc")
    private OtlpProtocol protocol;

    @JsonPropertyDescription("A Secret in the monitor's namespace whose keys and values are sent as request headers "
            + "(e.g. an Authorization token). The operator copies them into a Secret only the agents read; a change "
            + "to the Secret reaches the exports within sonde.operator.headers-resync (30 s) and one interval.")
    private SecretReference headersSecretRef;

    public OtlpExportSpec() {
    }

    public OtlpExportSpec(String endpoint, OtlpProtocol protocol) {
        this.endpoint = endpoint;
        this.protocol = protocol;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public OtlpProtocol getProtocol() {
        return protocol;
    }

    public void setProtocol(OtlpProtocol protocol) {
        this.protocol = protocol;
    }

    public SecretReference getHeadersSecretRef() {
        return headersSecretRef;
    }

    public void setHeadersSecretRef(SecretReference headersSecretRef) {
        this.headersSecretRef = headersSecretRef;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OtlpExportSpec that
                && Objects.equals(endpoint, that.endpoint)
                && protocol == that.protocol
                && Objects.equals(headersSecretRef, that.headersSecretRef);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoint, protocol, headersSecretRef);
    }
}
