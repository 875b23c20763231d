package dev.sonde.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which parts of an expected JSON tree are missing or different in an actual one (extra fields are fine). */
final class JsonSubset {

    private JsonSubset() {
    }

    static List<String> differences(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        compare("", expected, actual, out);
        return out;
    }

    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> out) {
        if (actual == null || actual.isMissingNode() || actual.isNull()) {
            if (!expected.isNull()) {
                out.add(path + ": missing, expected " + expected);
            }
        } else if (expected.isObject()) {
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                compare(path + "." + field.getKey(), field.getValue(), actual.get(field.getKey()), out);
            }
        } else if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                out.add(path + ": expected " + expected + ", got " + actual);
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                compare(path + "[" + i + "]", expected.get(i), actual.get(i), out);
            }
        } else if (expected.isNumber() && actual.isNumber()) {
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                out.add(path + ": expected " + expected + ", got " + actual);
            }
        } else if (!expected.asText().equals(actual.asText()) || expected.isTextual() != actual.isTextual()) {
            out.add(path + ": expected " + expected + ", got " + actual);
        }
    }
}
