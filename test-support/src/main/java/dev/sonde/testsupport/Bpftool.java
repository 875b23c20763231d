package dev.sonde.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/** What the kernel says about Sonde's eBPF programs, through bpftool: ground truth for attach and detach. */
public final class Bpftool {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Bpftool() {
    }

    /** Ids of the links whose program is one of Sonde's ({@code sonde_*}), as {@code bpftool link show} lists them. */
    public static Set<Integer> sondeLinks() throws IOException {
        JsonNode progs = JSON.readTree(new ProcessBuilder("bpftool", "prog", "show", "-j").start().getInputStream());
        Set<Integer> sondeProgs = StreamSupport.stream(progs.spliterator(), false)
                .filter(p -> p.path("name").asText().startsWith("sonde_"))
                .map(p -> p.get("id").asInt()).collect(Collectors.toSet());
        JsonNode links = JSON.readTree(new ProcessBuilder("bpftool", "link", "show", "-j").start().getInputStream());
        return StreamSupport.stream(links.spliterator(), false)
                .filter(l -> sondeProgs.contains(l.path("prog_id").asInt()))
                .map(l -> l.get("id").asInt()).collect(Collectors.toSet());
    }
}
