package dev.sonde.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** What the kernel says about Sonde's eBPF programs, through bpftool: ground truth for attach and detach. */
public final class Bpftool {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Bpftool() {
    }

    /** Ids of the links whose program is one of Sonde's ({@code sonde_*}), as {@code bpftool link show} lists them. */
    public static Set<Integer> sondeLinks() throws IOException {
        return programByLink().entrySet().stream().filter(e -> e.getValue().startsWith("sonde_"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** The program name of each of these links, as {@code bpftool link show} and {@code prog show} say; sorted. */
    public static List<String> linkedPrograms(Collection<Integer> linkIds) throws IOException {
        Map<Integer, String> programs = programByLink();
        return linkIds.stream().map(programs::get).filter(Objects::nonNull).sorted().toList();
    }

    /** Every link's id and its program's name, from {@code bpftool link show} and {@code bpftool prog show}. */
    private static Map<Integer, String> programByLink() throws IOException {
        JsonNode progs = JSON.readTree(new ProcessBuilder("bpftool", "prog", "show", "-j").start().getInputStream());
        Map<Integer, String> names = new HashMap<>();
        for (JsonNode p : progs) {
            names.put(p.get("id").asInt(), p.path("name").asText());
        }
        JsonNode links = JSON.readTree(new ProcessBuilder("bpftool", "link", "show", "-j").start().getInputStream());
        Map<Integer, String> out = new HashMap<>();
        for (JsonNode l : links) {
            String program = names.get(l.path("prog_id").asInt());
            if (program != null) {
                out.put(l.get("id").asInt(), program);
            }
        }
        return out;
    }

    /**
     * The keys of every map named {@code mapName} whose keys are 64-bit integers, as {@code bpftool map dump}
     * shows them (the BTF-formatted key where there is one, else the key's little-endian bytes). The kernel keeps
     * the first 15 characters of a map's name.
     */
    public static Set<Long> u64Keys(String mapName) throws IOException {
        String kernelName = mapName.substring(0, Math.min(mapName.length(), 15));
        JsonNode maps = JSON.readTree(new ProcessBuilder("bpftool", "map", "show", "-j").start().getInputStream());
        Set<Long> keys = new HashSet<>();
        for (JsonNode map : maps) {
            if (!map.path("name").asText().equals(kernelName)) {
                continue;
            }
            JsonNode entries = JSON.readTree(new ProcessBuilder("bpftool", "map", "dump", "id",
                    map.get("id").asText(), "-j").start().getInputStream());
            for (JsonNode entry : entries) {
                JsonNode formatted = entry.path("formatted").path("key");
                keys.add(formatted.isNumber() ? formatted.asLong() : littleEndian(entry.get("key")));
            }
        }
        return keys;
    }

    private static long littleEndian(JsonNode bytes) {
        long value = 0;
        for (int i = bytes.size() - 1; i >= 0; i--) {
            value = value << 8 | Long.decode(bytes.get(i).asText());
        }
        return value;
    }
}
