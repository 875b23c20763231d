package dev.sonde.api.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OTLP request headers of monitors with {@code spec.export.otlp.headersSecretRef}, as the operator copies them
 * from each monitor's Secret into one Secret of its own namespace ({@link #SECRET_NAME}) for the agents: one data
 * key per monitor uid, whose value is a JSON object of header name to header value. Values are credentials: nothing
 * here puts them in an exception message or a {@code toString}.
 */
public final class OtlpHeaders {

    /** The operator's copy, in its namespace; the only Secret the agents may read. */
    public static final String SECRET_NAME = "sonde-otlp-headers";

    /** A Secret's data is at most 1 MiB; leave room for the other monitors' entries. */
    public static final int MAX_BYTES_PER_MONITOR = 16 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private OtlpHeaders() {
    }

    /**
     * What is wrong with these headers, one line per key; empty when they can all be sent. Messages name keys,
     * never values.
     */
    public static List<String> problems(Map<String, String> headers) {
        List<String> problems = new ArrayList<>();
        if (headers.isEmpty()) {
            problems.add("it has no keys; each key is sent as a header name and its value as the header value");
        }
        int bytes = 0;
        for (Map.Entry<String, String> header : new TreeMap<>(headers).entrySet()) {
            String name = header.getKey();
            String value = header.getValue();
            bytes += name.length() + (value == null ? 0 : value.length());
            if (!isToken(name)) {
                problems.add("key '" + printable(name) + "' is not a valid HTTP header name (letters, digits and "
                        + "!#$%&'*+-.^_`|~ only)");
            } else if (name.toLowerCase(java.util.Locale.ROOT).startsWith("grpc-")
                    || List.of("content-type", "content-length", "te", "host", "connection", "user-agent")
                            .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                problems.add("key '" + name + "' is a header the OTLP exporter sets itself");
            }
            if (value == null || value.isEmpty()) {
                problems.add("the value of key '" + printable(name) + "' is empty");
            } else if (value.endsWith("\n") || value.endsWith("\r")) {
                problems.add("the value of key '" + printable(name) + "' ends with a line break (write it with "
                        + "kubectl create secret --from-literal, or printf instead of echo)");
            } else if (!isFieldValue(value)) {
                problems.add("the value of key '" + printable(name) + "' has characters a header can't carry "
                        + "(only printable ASCII, space and tab)");
            }
        }
        if (bytes > MAX_BYTES_PER_MONITOR) {
            problems.add("the headers are " + bytes + " bytes; at most " + MAX_BYTES_PER_MONITOR + " are copied");
        }
        return problems;
    }

    /** One monitor's headers as the value of its key in {@link #SECRET_NAME}. */
    public static String toJson(Map<String, String> headers) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(headers));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write headers as JSON", e);
        }
    }

    /**
     * One monitor's headers from its key in {@link #SECRET_NAME}.
     *
     * @throws IllegalArgumentException if it is not a JSON object of strings, or a header can't be sent
     */
    public static Map<String, String> fromJson(String json) {
        Map<String, String> headers;
        try {
            headers = JSON.readValue(json, new TypeReference<TreeMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            // not e.getMessage(): it may quote the content
            throw new IllegalArgumentException("not a JSON object of header names to values");
        }
        List<String> problems = problems(headers);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return Map.copyOf(headers);
    }

    /** RFC 9110 token: the characters of a field name. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII, space and tab, not starting or ending with whitespace: what both HTTP and gRPC carry. */
    static boolean isFieldValue(String value) {
        if (value.charAt(0) == ' ' || value.charAt(0) == '\t'
                || value.charAt(value.length() - 1) == ' ' || value.charAt(value.length() - 1) == '\t') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c == '\t' || (c >= 0x20 && c <= 0x7e))) {
                return false;
            }
        }
        return true;
    }

    /** A key for a message: Secret keys are not secret, but may hold control characters. */
    private static String printable(String name) {
        return name.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
