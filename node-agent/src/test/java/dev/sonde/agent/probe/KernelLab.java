package dev.sonde.agent.probe;

import static org.assertj.core.api.Assertions.fail;

import dev.sonde.testsupport.ClasspathResources;
import dev.sonde.testsupport.ProcNetSnmp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disposable corner of the real kernel for the ITs: cgroups under the cgroup2 mount, network
 * namespaces joined by veth pairs, and netload.py processes started inside a cgroup (and netns).
 * Everything it creates is removed by {@link #close()}, also after a failed test. Root only:
 * {@link #requireRoot()} fails (never skips) otherwise.
 */
final class KernelLab implements AutoCloseable {
    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final Path cgroupRoot;
    private final Path script;
    private Path rrScript;
    private final List<Path> cgroups = new ArrayList<>();
    private final List<String> netns = new ArrayList<>();
    private final List<String> hostTables = new ArrayList<>();
    private final List<Proc> procs = new ArrayList<>();

    KernelLab() {
        requireRoot();
        cgroupRoot = KernelCapabilities.cgroup2Mount(read(Path.of("/proc/self/mountinfo")))
                .orElseThrow(() -> new AssertionError("no cgroup2 mount in /proc/self/mountinfo"));
        script = ClasspathResources.toTempFile(KernelLab.class, "/it/netload.py");
    }

    static void requireRoot() {
        String status = read(Path.of("/proc/self/status"));
        Matcher m = Pattern.compile("(?m)^Uid:\\s+(\\d+)\\s+(\\d+)").matcher(status);
        if (!m.find() || !m.group(2).equals("0")) {
            fail("kernel probe ITs need root (real BPF, cgroups, netns); run them as root in CI");
        }
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            fail("kernel probe ITs need BTF at /sys/kernel/btf/vmlinux");
        }
    }

    Path cgroupRoot() {
        return cgroupRoot;
    }

    Path cgroup(String label) {
        Path dir = cgroupRoot.resolve("sonde-it-" + tag + "-" + label);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new AssertionError("mkdir " + dir, e);
        }
        cgroups.add(dir);
        return dir;
    }

    String netns(String label) {
        String name = "sonde-it-" + tag + "-" + label;
        sh("ip", "netns", "add", name);
        netns.add(name);
        sh("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** veth between two namespaces: a gets 10.77.{subnet}.1/24, b gets .2/24. */
    void veth(String a, String b, int subnet) {
        String ifa = "sv" + tag + subnet + "a";
        String ifb = "sv" + tag + subnet + "b";
        sh("ip", "link", "add", ifa, "netns", a, "type", "veth", "peer", "name", ifb, "netns", b);
        sh("ip", "-n", a, "addr", "add", "10.77." + subnet + ".1/24", "dev", ifa);
        sh("ip", "-n", b, "addr", "add", "10.77." + subnet + ".2/24", "dev", ifb);
        sh("ip", "-n", a, "link", "set", ifa, "up");
        sh("ip", "-n", b, "link", "set", ifb, "up");
    }

    /**
     * veth between this host's network namespace and ns: the host side gets 10.77.{subnet}.1/24, ns gets .2/24 and a
     * default route through the host. Goes away with ns.
     */
    void vethToHost(String ns, int subnet) {
        String host = "sh" + tag + subnet;
        String inner = "sn" + tag + subnet;
        sh("ip", "link", "add", host, "type", "veth", "peer", "name", inner, "netns", ns);
        sh("ip", "addr", "add", "10.77." + subnet + ".1/24", "dev", host);
        sh("ip", "-n", ns, "addr", "add", "10.77." + subnet + ".2/24", "dev", inner);
        sh("ip", "link", "set", host, "up");
        sh("ip", "-n", ns, "link", "set", inner, "up");
        sh("ip", "-n", ns, "route", "add", "default", "via", "10.77." + subnet + ".1");
    }

    /** An nftables table of this lab in the host's namespace ({@code table ip <name> {...}}), deleted at close. */
    String hostNftTable(String label, String body) {
        String name = "sonde_it_" + tag + "_" + label;
        try {
            Path f = Files.createTempFile("sonde-nft-", ".nft");
            Files.writeString(f, "table ip " + name + " {\n" + body + "\n}\n");
            hostTables.add(name);
            sh("nft", "-f", f.toString());
            Files.delete(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return name;
    }

    /** nftables ruleset applied inside a namespace. */
    void nft(String ns, String ruleset) {
        try {
            Path f = Files.createTempFile("sonde-nft-", ".nft");
            Files.writeString(f, ruleset);
            sh("ip", "netns", "exec", ns, "nft", "-f", f.toString());
            Files.delete(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Starts netload.py (args after the script) as a member of cgroup, inside ns when not null. */
    Proc netload(Path cgroup, String ns, String... args) {
        return python(cgroup, ns, script, args);
    }

    /** Starts rrload.py (request/response and connection-churn load) like {@link #netload}. */
    Proc rrload(Path cgroup, String ns, String... args) {
        if (rrScript == null) {
            rrScript = ClasspathResources.toTempFile(KernelLab.class, "/it/rrload.py");
        }
        return python(cgroup, ns, rrScript, args);
    }

    private Proc python(Path cgroup, String ns, Path file, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString()));
        cmd.addAll(Arrays.asList(args));
        return inCgroup(cgroup, ns, cmd.toArray(String[]::new));
    }

    /** Starts a command as a member of cgroup, inside ns when not null. */
    Proc inCgroup(Path cgroup, String ns, String... command) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"",
                cgroup.toString()));
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns));
        }
        cmd.addAll(Arrays.asList(command));
        return start(cmd);
    }

    /** Starts a command inside ns (no cgroup move). */
    Proc startInNetns(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(Arrays.asList(args));
        return start(cmd);
    }

    private Proc start(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Proc proc = new Proc(String.join(" ", cmd), p);
            procs.add(proc);
            return proc;
        } catch (IOException e) {
            throw new AssertionError("start " + cmd, e);
        }
    }

    /** The Tcp: line of /proc/net/snmp inside ns, as name -> value. */
    Map<String, Long> tcpSnmp(String ns) {
        return ProcNetSnmp.tcp(sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp"));
    }

    /** The Udp: line of /proc/net/snmp inside ns, as name -> value. */
    Map<String, Long> udpSnmp(String ns) {
        return ProcNetSnmp.udp(sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp"));
    }

    /**
     * A real DNS server in ns: dnsmasq authoritative for sonde.test, where exists.sonde.test resolves and every
     * other name is NXDOMAIN.
     */
    Proc startDnsmasq(String ns, String address, int port) throws InterruptedException {
        Proc dnsmasq = startInNetns(ns, "/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-daemon",
                "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + address,
                "--except-interface=lo", "--port=" + port, "--local=/sonde.test/",
                "--host-record=exists.sonde.test,10.1.2.3", "--pid-file=", "--user=root");
        Thread.sleep(700); // dnsmasq has no readiness signal; the client retries nothing, so give it a moment
        if (!dnsmasq.process.isAlive()) {
            throw new AssertionError("dnsmasq exited: " + dnsmasq.output());
        }
        return dnsmasq;
    }

    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Path writeTemp(String content) {
        try {
            Path f = Files.createTempFile("sonde-it-", ".txt");
            f.toFile().deleteOnExit();
            Files.writeString(f, content);
            return f;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (Proc p : procs) {
            p.process.descendants().forEach(ProcessHandle::destroyForcibly);
            p.process.destroyForcibly();
            try {
                p.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path cg : cgroups) {
            try {
                for (String pid : Files.readAllLines(cg.resolve("cgroup.procs"))) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
                for (int i = 0; i < 50 && Files.exists(cg); i++) {
                    try {
                        Files.delete(cg);
                    } catch (IOException busy) {
                        Thread.sleep(100);
                    }
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("cleanup of " + cg + ": " + e);
            }
        }
        for (String table : hostTables) {
            try {
                sh("nft", "delete", "table", "ip", table);
            } catch (AssertionError e) {
                System.err.println("cleanup of nft table " + table + ": " + e.getMessage());
            }
        }
        for (String ns : netns) {
            try {
                sh("ip", "netns", "del", ns);
            } catch (AssertionError e) {
                System.err.println("cleanup of netns " + ns + ": " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(script);
            if (rrScript != null) {
                Files.deleteIfExists(rrScript);
            }
        } catch (IOException ignored) {
            // temp file
        }
    }

    /** A started process; its stdout is read line by line in the background. */
    static final class Proc {
        private static final Pattern NUMBER = Pattern.compile("\"([a-z0-9_]+)\": (\\d+)");
        final String command;
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder all = new StringBuilder();

        Proc(String command, Process process) {
            this.command = command;
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (all) {
                            all.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            }, "netload-out");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for "READY <port>" and returns the port. */
        int awaitReady() {
            String line = nextLine(Duration.ofSeconds(20));
            if (!line.startsWith("READY ")) {
                throw new AssertionError("expected READY from " + command + ", got: " + line + "\n" + output());
            }
            return Integer.parseInt(line.substring(6).trim());
        }

        /** Waits for the process to exit 0 and returns the numbers of its last JSON line. */
        Map<String, Long> awaitResult(Duration timeout) {
            String last = "";
            for (String l : awaitOutput(timeout).split("\n")) {
                if (l.startsWith("{")) {
                    last = l;
                }
            }
            Map<String, Long> out = new HashMap<>();
            Matcher m = NUMBER.matcher(last);
            while (m.find()) {
                out.put(m.group(1), Long.parseLong(m.group(2)));
            }
            if (out.isEmpty()) {
                throw new AssertionError("no result from " + command + "\n" + output());
            }
            return out;
        }

        /** Waits for the process to exit 0 and returns all it printed. */
        String awaitOutput(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(command + " did not finish in " + timeout + "\n" + output());
                }
                Thread.sleep(50); // let the reader drain
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited " + process.exitValue() + "\n" + output());
            }
            return output();
        }

        String nextLine(Duration timeout) {
            try {
                String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new AssertionError("no output from " + command + " in " + timeout + "\n" + output());
                }
                return line;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        String output() {
            synchronized (all) {
                return all.toString();
            }
        }
    }
}
