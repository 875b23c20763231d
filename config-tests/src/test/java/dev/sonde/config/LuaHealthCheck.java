package dev.sonde.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Argo CD health.lua with the real {@code lua5.4} interpreter, the way Argo CD does: the
 * resource as the global {@code obj}, the script's chunk returning {@code hs}. lua5.4 has no YAML or
 * JSON parser, so the object is handed over as a Lua table literal.
 */
final class LuaHealthCheck {

    static final String INTERPRETER = System.getProperty("sonde.lua", "lua5.4");

    record Result(String status, String message) {
    }

    private final Path script;

    LuaHealthCheck(Path script) {
        this.script = script;
    }

    Result evaluate(JsonNode obj) {
        String harness = "obj = " + toLua(obj) + "\n"
                + "local check = assert(loadfile(" + luaString(script.toAbsolutePath().toString()) + "))\n"
                + "local hs = check()\n"
                + "assert(type(hs) == 'table', 'health.lua must return a table')\n"
                + "io.write(tostring(hs.status), '\\0', tostring(hs.message))\n";
        try {
            Path file = Files.createTempFile("sonde-health-", ".lua");
            try {
                Files.writeString(file, harness);
                Process process = new ProcessBuilder(INTERPRETER, file.toString()).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException(INTERPRETER + " failed on " + script + ":\n" + output);
                }
                int separator = output.indexOf('\0');
                if (separator < 0) {
                    throw new IllegalStateException("unexpected output of " + script + ": " + output);
                }
                return new Result(output.substring(0, separator), output.substring(separator + 1));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JSON as a Lua table: objects keyed by string, arrays 1-based, null left out (nil), as Argo CD's converter does. */
    static String toLua(JsonNode node) {
        if (node.isObject()) {
            StringBuilder out = new StringBuilder("{");
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isNull()) {
                    out.append('[').append(luaString(field.getKey())).append("]=").append(toLua(field.getValue())).append(',');
                }
            }
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("{");
            for (JsonNode item : node) {
                out.append(toLua(item)).append(',');
            }
            return out.append('}').toString();
        }
        if (node.isBoolean() || node.isNumber()) {
            return node.asText();
        }
        if (node.isNull()) {
            return "nil";
        }
        return luaString(node.asText());
    }

    /** A Lua string literal; bytes other than printable ASCII as decimal escapes, so UTF-8 survives. */
    static String luaString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\%03d", c));
            }
        }
        return out.append('"').toString();
    }

    static List<String> statuses() {
        return List.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
    }
}
