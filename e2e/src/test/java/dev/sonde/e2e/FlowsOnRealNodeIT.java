package dev.sonde.e2e;

import static dev.sonde.e2e.RealNodeCluster.NODE;
import static dev.sonde.e2e.RealNodeCluster.writeTemp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sonde.testsupport.MetricsScrapers;
import dev.sonde.testsupport.ProcNetSnmp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Who talks to whom, on real pods: a client Deployment → ClusterIP Service → two backend pods (kube-proxy's DNAT), with
 * Sonde installed from its images. Each backend's share of the client's connects is checked against the backend's own
 * accepts (PassiveOpens of its network namespace), retransmits on one edge (an nftables drop toward one backend)
 * against the client's RetransSegs, DNS as a UDP flow to the kube-dns Service, a tenant's monitor against what
 * the default tenancy lets it see, bytes to a pod in another zone (a KWOK node's pod whose address lives in a network
 * namespace the test routes) against what that peer received and sent, external peers by their CIDR group, and a pod
 * beyond its peer budget against its own kernel's connect counts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlowsOnRealNodeIT {

    private static final RealNodeCluster CLUSTER = new RealNodeCluster("flows-on-real-node-it");
    private static final String LOSS_TABLE = "sonde_e2e_flows_loss";
    /** 'GET / demo\n' and 'ok': what the demo client writes and reads per connection. */
    private static final int REQUEST = 11;
    private static final int RESPONSE = 2;
    private static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    private static final String NODE_ZONE = "zone-a";
    /**
     * The other zone: a network namespace the test makes, routed from the pod network, holding the address of the pod
     * {@code ledger} on a KWOK node of zone-b, an address in the profile's external group {@code partner}, and one in
     * no group.
     */
    private static final String ZONE_NETNS = "sonde-e2e-zone-b";
    private static final String ZONE_VETH = "sonde-zb0";
    private static final String ZONE_TALLY = "/tmp/sonde-e2e-zone-b.json";
    private static final String LEDGER_IP = "10.251.0.2";
    private static final String PARTNER_IP = "10.251.1.2";
    private static final String STRANGER_IP = "10.251.2.2";
    private static final int ZONE_PORT = 9000;
    private static final int ZONE_REQUEST = 1000;
    private static final int ZONE_RESPONSE = 3000;
    private static Process zoneServer;
    private static String metricsUrl;
    private static String metricsToken;
    private static String frontend;
    private static List<String> backends;
    private static Map<String, String> backendIps;

    @BeforeAll
    static void sondeOnTheRealNode() throws Exception {
        CLUSTER.up();
        kubectl("label", "--overwrite", "node", NODE, ZONE_LABEL + "=" + NODE_ZONE);
        RealNodeCluster.Result images = CLUSTER.script(TimeUnit.MINUTES.toSeconds(15), "hack/images.sh");
        assertThat(images.exit()).as("hack/images.sh:\n" + images.output()).isZero();
        String demoImage = CLUSTER.script(10, "hack/images.sh", "refs").output().lines().toList().get(2);
        kubectl("apply", "--server-side", "-k", "config/overlays/local-images");
        kubectl("-n", "sonde-system", "wait", "--for=condition=Available", "deployment/sonde-operator",
                "--timeout=180s");
        kubectl("apply", "--server-side", "-f", writeTemp(SCENARIO.replace("DEMO_IMAGE", demoImage)).toString());
        for (String ns : List.of("shop", "tenant")) {
            kubectl("-n", ns, "wait", "--for=condition=Ready", "pods", "--all", "--timeout=180s");
        }
        String agentPod = agentPod();
        kubectl("-n", "sonde-system", "wait", "--for=condition=Ready", "pod/" + agentPod, "--timeout=180s");
        String agentIp = kubectl("-n", "sonde-system", "get", "pod", agentPod, "-o", "jsonpath={.status.podIP}");
        String nodeIp = kubectl("get", "node", NODE, "-o",
                "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");
        assertThat(agentIp).as("the agent runs in the node's network namespace").isEqualTo(nodeIp);
        metricsUrl = "https://" + agentIp + ":9466/metrics";
        metricsToken = CLUSTER.metricsScrapeToken();
        frontend = kubectl("-n", "shop", "get", "pods", "-l", "app=frontend,role=client", "-o",
                "jsonpath={.items[0].metadata.name}");
        backends = List.of(kubectl("-n", "shop", "get", "pods", "-l", "app=inventory", "-o",
                "jsonpath={.items[*].metadata.name}").split(" "));
        backendIps = new HashMap<>();
        for (String b : backends) {
            backendIps.put(b, kubectl("-n", "shop", "get", "pod", b, "-o", "jsonpath={.status.podIP}"));
        }
        assertThat(backends).hasSize(2);
    }

    @AfterAll
    static void stopTheNode() throws Exception {
        RealNodeCluster.sh("nft delete table ip " + LOSS_TABLE + " 2>/dev/null || true");
        if (zoneServer != null) {
            zoneServer.destroyForcibly().waitFor();
        }
        RealNodeCluster.sh("ip link delete " + ZONE_VETH + " 2>/dev/null; ip netns delete " + ZONE_NETNS
                + " 2>/dev/null; rm -f " + ZONE_TALLY + "; true");
        CLUSTER.down();
    }

    @Test
    @Order(1)
    void eachBackendsShareOfTheClientsConnectsIsExactAndRetransmitsStayOnTheLossyEdge() throws Exception {
        waitFor("the frontend's flows to both backends in /metrics", () -> {
            String text = scrape();
            return backends.stream().allMatch(b -> sum(text, "sonde_flow_connections_total",
                    fromFrontend().and(l -> b.equals(l.get("sonde_peer_backend_name")))) > 0);
        });
        String lossy = backends.get(0);
        String clean = backends.get(1);
        RealNodeCluster.sh(("nft add table ip %1$s && nft add chain ip %1$s loss '{ type filter hook forward priority 0; }'"
                + " && nft add rule ip %1$s loss ip daddr %2$s tcp dport 8080 'tcp flags & (syn | fin | rst) == 0'"
                + " numgen random mod 5 '<' 1 drop").formatted(LOSS_TABLE, backendIps.get(lossy)));

        // the tenant's reporter calls the same backends: quiet while the backends' accepts are counted
        String reporter = kubectl("-n", "tenant", "get", "pods", "-l", "app=reporter", "-o",
                "jsonpath={.items[0].metadata.name}");
        kubectl("-n", "tenant", "exec", reporter, "--", "python3", "-c", "open('/tmp/pause', 'w').close()");
        pause(true);
        Settled baseline = settled(lossy, clean);
        Map<String, Long> before = baseline.truth();
        Map<String, Double> metricsBefore = baseline.sonde();
        pause(false);
        // while the lossy edge is live, the monitor's health reason names its backend
        String reasons = "";
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(40)
                && (!reasons.contains(lossy) || System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15))) {
            Thread.sleep(2000);
            reasons = kubectl("-n", "shop", "get", "networkmonitor", "frontend", "-o",
                    "jsonpath={.status.healthReasons[*].message}");
        }
        String peers = kubectl("-n", "shop", "get", "networkmonitor", "frontend", "-o", "jsonpath={.status.peers}");
        pause(true);
        System.out.println("networkmonitor shop/frontend: healthReasons " + reasons + "\n  peers " + peers);
        assertThat(reasons).as("the health reason names the backend behind the retransmits")
                .contains("Service shop/inventory:8080 (backend " + lossy + ")");
        assertThat(peers).contains(lossy);
        Settled end = settled(lossy, clean);
        Map<String, Long> after = end.truth();
        Map<String, Double> metricsAfter = end.sonde();
        kubectl("-n", "tenant", "exec", reporter, "--", "python3", "-c", "import os; os.remove('/tmp/pause')");
        Map<String, Long> truth = minus(after, before);
        Map<String, Long> seen = new HashMap<>();
        metricsAfter.forEach((k, v) -> seen.put(k, Math.round(v - metricsBefore.getOrDefault(k, 0.0))));
        System.out.println("flows: kernel/application " + truth + "\n       sonde " + seen);

        assertThat(truth.get("accepts:" + lossy)).as("traffic to the lossy backend").isPositive();
        assertThat(truth.get("accepts:" + clean)).as("traffic to the clean backend").isPositive();
        assertThat(seen.get("connections:" + lossy)).as("connects that reached " + lossy)
                .isEqualTo(truth.get("accepts:" + lossy));
        assertThat(seen.get("connections:" + clean)).as("connects that reached " + clean)
                .isEqualTo(truth.get("accepts:" + clean));
        assertThat(seen.get("connections:" + lossy) + seen.get("connections:" + clean))
                .isEqualTo(truth.get("activeOpens"));
        assertThat(seen.get("sent:" + lossy)).isEqualTo(REQUEST * truth.get("accepts:" + lossy));
        assertThat(seen.get("received:" + clean)).isEqualTo(RESPONSE * truth.get("accepts:" + clean));
        assertThat(truth.get("retransmits")).as("the drop made the client retransmit").isPositive();
        assertThat(seen.get("retransmits:" + lossy)).isEqualTo(truth.get("retransmits"));
        assertThat(seen.get("retransmits:" + clean)).isZero();
    }

    @Test
    @Order(2)
    void dnsToCoreDnsIsAUdpFlowToTheKubeDnsService() throws Exception {
        waitFor("the resolver's DNS as a flow", () -> sum(scrape(), "sonde_flow_io_bytes_total", l ->
                "shop".equals(l.get("k8s_namespace_name")) && "service".equals(l.get("sonde_peer_kind"))
                        && "kube-dns".equals(l.get("sonde_peer_name")) && "udp".equals(l.get("network_transport"))
                        && "53".equals(l.get("network_peer_port"))) > 0);
    }

    @Test
    @Order(3)
    void aTenantSeesAnotherNamespacesBackendsByWorkloadOnlyAndUnselectedPodsHaveNoFlows() throws Exception {
        waitFor("the tenant's flows", () -> sum(scrape(), "sonde_flow_connections_total", l ->
                "tenant".equals(l.get("k8s_namespace_name"))) > 0);
        String text = scrape();
        List<Map<String, String>> tenant = series(text, "sonde_flow_connections_total").stream()
                .filter(l -> "tenant".equals(l.get("k8s_namespace_name"))).toList();
        assertThat(tenant).allSatisfy(l -> {
            assertThat(l.get("sonde_peer_kind")).isEqualTo("service");
            assertThat(l.get("sonde_peer_name")).isEqualTo("inventory");
            assertThat(l.get("sonde_peer_backend_name")).as("another namespace's backend: its workload").isEqualTo("inventory");
        });
        for (String b : backends) {
            assertThat(text).as("no series names another tenant's pod to the tenant, and unselected pods have none")
                    .doesNotContain("k8s_pod_name=\"" + b + "\"");
            assertThat(tenant).noneMatch(l -> l.containsValue(b) || l.containsValue(backendIps.get(b)));
        }
    }

    @Test
    @Order(4)
    void bytesToAPodInAnotherZoneAreInterzoneAndExternalPeersLandInTheirGroups() throws Exception {
        otherZone();
        String client = """
                import socket, sys
                for ip in sys.argv[1:]:
                    for i in range(5):
                        c = socket.create_connection((ip, %d), timeout=5)
                        c.sendall(b'r' * %d)
                        got = 0
                        while True:
                            b = c.recv(65536)
                            if not b:
                                break
                            got += len(b)
                        assert got == %d, got
                        c.close()
                print('ok')
                """.formatted(ZONE_PORT, ZONE_REQUEST, ZONE_RESPONSE);
        assertThat(kubectl("-n", "shop", "exec", frontend, "--", "python3", "-c", client, LEDGER_IP, PARTNER_IP,
                STRANGER_IP)).isEqualTo("ok");
        Map<String, Map<String, Long>> tally = zoneTally();
        long ledgerAccepts = tally.get(LEDGER_IP).get("accepts");
        Predicate<Map<String, String>> toLedger = l -> frontend.equals(l.get("k8s_pod_name"))
                && "pod".equals(l.get("sonde_peer_kind")) && "ledger".equals(l.get("sonde_peer_name"));
        waitFor("the frontend's connects to the pod in zone-b", () ->
                sum(scrape(), "sonde_flow_connections_total", toLedger) >= ledgerAccepts);
        Thread.sleep(12_000); // two intervals: everything counted is published
        String text = scrape();
        List<Map<String, String>> interzone = series(text, "sonde_network_interzone_io_bytes_total");
        System.out.println("zone-b server tally " + tally + "\ninterzone series " + interzone);

        assertThat(series(text, "sonde_flow_connections_total").stream().filter(toLedger).toList())
                .isNotEmpty().allSatisfy(l -> {
                    assertThat(l.get("sonde_peer_zone")).isEqualTo("zone-b");
                    assertThat(l.get("cloud_availability_zone")).isEqualTo(NODE_ZONE);
                });
        assertThat(Math.round(sum(text, "sonde_flow_connections_total", toLedger))).isEqualTo(ledgerAccepts);
        assertThat(interzone).as("only the peer in another zone is interzone (the backends, CoreDNS and the "
                + "external groups are not)").isNotEmpty().allSatisfy(l -> {
                    assertThat(l.get("sonde_peer_name")).isEqualTo("ledger");
                    assertThat(l.get("sonde_peer_zone")).isEqualTo("zone-b");
                });
        assertThat(Math.round(sum(text, "sonde_network_interzone_io_bytes_total",
                l -> "transmit".equals(l.get("network_io_direction")))))
                .as("interzone bytes sent = what the zone-b peer received").isEqualTo(tally.get(LEDGER_IP).get("received"));
        assertThat(Math.round(sum(text, "sonde_network_interzone_io_bytes_total",
                l -> "receive".equals(l.get("network_io_direction")))))
                .as("interzone bytes received = what the zone-b peer sent").isEqualTo(tally.get(LEDGER_IP).get("sent"));
        for (String[] group : List.of(new String[] {"partner", PARTNER_IP}, new String[] {"external", STRANGER_IP})) {
            assertThat(Math.round(sum(text, "sonde_flow_connections_total", l -> frontend.equals(l.get("k8s_pod_name"))
                    && "external".equals(l.get("sonde_peer_kind")) && group[0].equals(l.get("sonde_peer_name")))))
                    .as("connects to " + group[1] + " in the group " + group[0])
                    .isEqualTo(tally.get(group[1]).get("accepts"));
        }
        assertThat(text).as("no peer address is ever a label").doesNotContain("\"10.251.");
    }

    @Test
    @Order(5)
    void aPodBeyondItsPeerBudgetShowsTheConditionAndTheRefusedCountAndTheAgentStaysFlat() throws Exception {
        otherZone();
        String scanner = kubectl("-n", "shop", "get", "pods", "-l", "app=scanner", "-o",
                "jsonpath={.items[0].metadata.name}");
        long rssBefore = agentRssKib();
        String restartsBefore = agentRestarts();
        Map<String, Long> snmpBefore = tcpSnmp(scanner);
        Map<String, Map<String, Long>> tallyBefore = zoneTally();
        // two peers fill the budget (maxPeersPerPod 2); then for 30 s every connect goes to another port of the
        // stranger: a new peer each, all refused
        String client = """
                import socket, time
                for ip in ['%s', '%s']:
                    for i in range(3):
                        c = socket.create_connection((ip, %d), timeout=5)
                        c.sendall(b'r' * %d)
                        while c.recv(65536):
                            pass
                        c.close()
                refused, port, end = 0, 20000, time.monotonic() + 30
                while time.monotonic() < end:
                    try:
                        socket.create_connection(('%s', port), timeout=5).close()
                    except ConnectionRefusedError:
                        refused += 1
                    port += 1
                    time.sleep(0.005)
                print(refused)
                """.formatted(LEDGER_IP, PARTNER_IP, ZONE_PORT, ZONE_REQUEST, STRANGER_IP);
        CompletableFuture<String> scan = CompletableFuture.supplyAsync(() -> {
            try {
                return kubectl("-n", "shop", "exec", scanner, "--", "python3", "-c", client);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // while it refuses, the monitor says so
        waitFor("PeersComplete=False on the scanner's monitor", () -> kubectl("-n", "shop", "get", "networkmonitor",
                "scanner", "-o", "jsonpath={.status.conditions[?(@.type==\"PeersComplete\")].reason}")
                .equals("PeerBudgetExceeded"));
        String condition = kubectl("-n", "shop", "get", "networkmonitor", "scanner", "-o",
                "jsonpath={.status.conditions[?(@.type==\"PeersComplete\")]}");
        long strangers = Long.parseLong(scan.get(120, TimeUnit.SECONDS));
        Map<String, Long> snmp = minus(tcpSnmp(scanner), snmpBefore);
        Map<String, Map<String, Long>> tally = zoneTally();
        long ledger = tally.get(LEDGER_IP).get("accepts") - tallyBefore.get(LEDGER_IP).get("accepts");
        long partner = tally.get(PARTNER_IP).get("accepts") - tallyBefore.get(PARTNER_IP).get("accepts");
        Predicate<Map<String, String>> ofScanner = l -> scanner.equals(l.get("k8s_pod_name"));
        waitFor("the scanner's refused connects", () ->
                sum(scrape(), "sonde_flow_refused_total", ofScanner) >= snmp.get("ActiveOpens") - ledger - partner);
        Thread.sleep(12_000);
        String text = scrape();
        long rssAfter = agentRssKib();
        System.out.printf("scanner: ActiveOpens %d (AttemptFails %d), zone-b accepts ledger %d partner %d; sonde "
                + "refused %.0f, series %s%n  PeersComplete %s%n  agent RSS %d KiB before, %d KiB after %d refused "
                + "peers%n", snmp.get("ActiveOpens"), snmp.get("AttemptFails"), ledger, partner,
                sum(text, "sonde_flow_refused_total", ofScanner),
                series(text, "sonde_flow_connections_total").stream().filter(ofScanner).toList(), condition,
                rssBefore, rssAfter, strangers);

        assertThat(snmp.get("AttemptFails")).as("the scanner's kernel: failed connects").isEqualTo(strangers);
        assertThat(series(text, "sonde_flow_connections_total").stream().filter(ofScanner)
                .map(l -> l.get("sonde_peer_name")).distinct().sorted().toList())
                .as("the two peers within the budget").containsExactly("ledger", "partner");
        assertThat(Math.round(sum(text, "sonde_flow_connections_total", ofScanner))).isEqualTo(ledger + partner);
        assertThat(Math.round(sum(text, "sonde_flow_refused_total", ofScanner)))
                .as("every connect beyond the budget is refused and counted")
                .isEqualTo(snmp.get("ActiveOpens") - ledger - partner);
        assertThat(strangers).as("connects the stranger refused").isGreaterThan(1000);
        assertThat(condition).contains("\"status\":\"False\"").contains("\"reason\":\"PeerBudgetExceeded\"");
        assertThat(agentRestarts()).isEqualTo(restartsBefore);
        assertThat(rssAfter - rssBefore).as("agent RSS growth (KiB) over %d refused peers", strangers)
                .isLessThan(16 * 1024);
    }

    /**
     * Once: the KWOK node {@code kwok-zone-b} (zone-b) with the pod {@code shop/ledger}, whose status.podIP is made
     * {@link #LEDGER_IP}; the network namespace holding that address and the two external ones, routed from the host;
     * and a server on {@link #ZONE_PORT} in it that tallies, per local address, accepts and the bytes each way.
     */
    private static synchronized void otherZone() throws Exception {
        if (zoneServer != null) {
            return;
        }
        kubectl("apply", "--server-side", "-f", writeTemp(OTHER_ZONE).toString());
        waitFor("the KWOK pod ledger to run", () -> "Running".equals(CLUSTER.kubectlResult("-n", "shop", "get",
                "pod", "ledger", "-o", "jsonpath={.status.phase}").output().strip()));
        kubectl("-n", "shop", "patch", "pod", "ledger", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"podIP\":\"%1$s\",\"podIPs\":[{\"ip\":\"%1$s\"}]}}".formatted(LEDGER_IP));
        RealNodeCluster.shOk(String.join(" && ",
                "ip netns add " + ZONE_NETNS,
                "ip link add " + ZONE_VETH + " type veth peer name eth0 netns " + ZONE_NETNS,
                "ip addr add 10.251.255.1/16 dev " + ZONE_VETH, "ip link set " + ZONE_VETH + " up",
                "ip -n " + ZONE_NETNS + " link set lo up", "ip -n " + ZONE_NETNS + " link set eth0 up",
                "ip -n " + ZONE_NETNS + " addr add " + LEDGER_IP + "/16 dev eth0",
                "ip -n " + ZONE_NETNS + " addr add " + PARTNER_IP + "/16 dev eth0",
                "ip -n " + ZONE_NETNS + " addr add " + STRANGER_IP + "/16 dev eth0",
                "ip -n " + ZONE_NETNS + " route add default via 10.251.255.1"));
        String server = """
                import json, os, socket, sys
                out, port, request, response = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
                tally = {}
                def save():
                    with open(out + '.tmp', 'w') as f:
                        json.dump(tally, f)
                    os.replace(out + '.tmp', out)
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('0.0.0.0', port))
                s.listen(128)
                save()
                while True:
                    c, _ = s.accept()
                    local = c.getsockname()[0]
                    got = 0
                    while got < request:
                        b = c.recv(request - got)
                        if not b:
                            break
                        got += len(b)
                    c.sendall(b'x' * response)
                    c.close()
                    t = tally.setdefault(local, {'accepts': 0, 'received': 0, 'sent': 0})
                    t['accepts'] += 1
                    t['received'] += got
                    t['sent'] += response
                    save()
                """;
        zoneServer = new ProcessBuilder("ip", "netns", "exec", ZONE_NETNS, "python3", "-c", server, ZONE_TALLY,
                String.valueOf(ZONE_PORT), String.valueOf(ZONE_REQUEST), String.valueOf(ZONE_RESPONSE))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        Path.of("/tmp/sonde-e2e-zone-b.log").toFile())).start();
        waitFor("the zone-b server", () -> Files.exists(Path.of(ZONE_TALLY)));
    }

    /** The zone-b server's tally: local address -> accepts, bytes received, bytes sent (zeros where none). */
    private static Map<String, Map<String, Long>> zoneTally() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Path.of(ZONE_TALLY).toFile());
        Map<String, Map<String, Long>> out = new HashMap<>();
        for (String ip : List.of(LEDGER_IP, PARTNER_IP, STRANGER_IP)) {
            JsonNode t = json.path(ip);
            out.put(ip, Map.of("accepts", t.path("accepts").asLong(), "received", t.path("received").asLong(),
                    "sent", t.path("sent").asLong()));
        }
        return out;
    }

    /** The agent's resident set, from the node's /proc (the agent pod runs on the real node). */
    private static long agentRssKib() throws Exception {
        String out = RealNodeCluster.sh("grep VmRSS /proc/$(pgrep -f sonde-node-agent.jar | head -1)/status");
        Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(out);
        assertThat(m.find()).as("the agent's VmRSS: " + out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String agentRestarts() throws Exception {
        return kubectl("-n", "sonde-system", "get", "pods", "-l", "app.kubernetes.io/name=sonde-agent",
                "--field-selector", "spec.nodeName=" + NODE, "-o",
                "jsonpath={.items[0].status.containerStatuses[0].restartCount}");
    }

    // --- ground truth and what Sonde says ---

    /** The kernel's and the application's counts, and Sonde's, at one quiet moment. */
    private record Settled(Map<String, Long> truth, Map<String, Double> sonde) {
    }

    /**
     * Once the paused client's counts stopped changing: /metrics shows what the agent published at its last interval
     * (5 s), so the kernel's counts are read, then two intervals later Sonde's, then the kernel's again; if a late
     * segment (a retransmit) changed them meanwhile, again.
     */
    private static Settled settled(String lossy, String clean) throws Exception {
        Map<String, Long> truth = groundTruth(lossy, clean);
        for (int attempt = 0; attempt < 5; attempt++) {
            Thread.sleep(12_000);
            Map<String, Double> sonde = flowsOfFrontend(lossy, clean);
            Map<String, Long> again = groundTruth(lossy, clean);
            if (again.equals(truth)) {
                return new Settled(truth, sonde);
            }
            System.out.println("the client's counts still moved: " + truth + " -> " + again);
            truth = again;
        }
        throw new AssertionError("the paused client's kernel counts never settled: " + truth);
    }

    private static Map<String, Long> groundTruth(String lossy, String clean) throws Exception {
        Map<String, Long> out = new HashMap<>();
        Map<String, Long> client = tcpSnmp(frontend);
        out.put("activeOpens", client.get("ActiveOpens"));
        out.put("retransmits", client.get("RetransSegs"));
        out.put("accepts:" + lossy, tcpSnmp(lossy).get("PassiveOpens"));
        out.put("accepts:" + clean, tcpSnmp(clean).get("PassiveOpens"));
        return out;
    }

    private static Map<String, Double> flowsOfFrontend(String lossy, String clean) throws Exception {
        String text = scrape();
        Map<String, Double> out = new HashMap<>();
        for (String b : List.of(lossy, clean)) {
            Predicate<Map<String, String>> toB = fromFrontend().and(l -> b.equals(l.get("sonde_peer_backend_name")));
            out.put("connections:" + b, sum(text, "sonde_flow_connections_total", toB));
            out.put("retransmits:" + b, sum(text, "sonde_flow_retransmits_total", toB));
            out.put("sent:" + b, sum(text, "sonde_flow_io_bytes_total",
                    toB.and(l -> "transmit".equals(l.get("network_io_direction")))));
            out.put("received:" + b, sum(text, "sonde_flow_io_bytes_total",
                    toB.and(l -> "receive".equals(l.get("network_io_direction")))));
        }
        return out;
    }

    private static Predicate<Map<String, String>> fromFrontend() {
        return l -> frontend.equals(l.get("k8s_pod_name")) && "service".equals(l.get("sonde_peer_kind"))
                && "inventory".equals(l.get("sonde_peer_name")) && "8080".equals(l.get("network_peer_port"));
    }

    /** The Tcp: counters of /proc/net/snmp in the pod's own network namespace. */
    private static Map<String, Long> tcpSnmp(String pod) throws Exception {
        return ProcNetSnmp.tcp(kubectl("-n", "shop", "exec", pod, "--", "python3", "-c",
                "print(open('/proc/net/snmp').read())"));
    }

    /** The demo client makes no connects while /tmp/pause exists; then waits out its last one. */
    private static void pause(boolean on) throws Exception {
        kubectl("-n", "shop", "exec", frontend, "--", "python3", "-c",
                on ? "open('/tmp/pause', 'w').close()" : "import os; os.remove('/tmp/pause')");
        if (on) {
            Thread.sleep(1500);
        }
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = MetricsScrapers.get(URI.create(metricsUrl), metricsToken);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Every sample of a metric: its labels, with the value under "__value__". */
    static List<Map<String, String>> series(String text, String metric) {
        return text.lines().map(SAMPLE::matcher).filter(Matcher::matches).filter(m -> m.group(1).equals(metric))
                .map(m -> {
                    Map<String, String> labels = new HashMap<>();
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                    labels.put("__value__", m.group(3));
                    return labels;
                }).toList();
    }

    static double sum(String text, String metric, Predicate<Map<String, String>> which) {
        return series(text, metric).stream().filter(which).mapToDouble(l -> Double.parseDouble(l.get("__value__")))
                .sum();
    }

    private static Map<String, Long> minus(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new HashMap<>();
        a.forEach((k, v) -> out.put(k, v - b.getOrDefault(k, 0L)));
        return out;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (java.io.IOException e) {
                last = e;
            }
            Thread.sleep(2000);
        }
        String flowLines;
        try {
            flowLines = scrape().lines().filter(l -> l.startsWith("sonde_flow_connections_total")
                    || l.startsWith("sonde_flow_io")).limit(40).reduce("", (x, y) -> x + y + "\n");
        } catch (java.io.IOException e) {
            flowLines = "(cannot scrape " + metricsUrl + ": " + e + ")";
        }
        throw new AssertionError("no " + what + " after 120 s (last error: " + last + "); agent /metrics flow lines:\n"
                + flowLines + "\nagent pods:\n" + CLUSTER.kubectlResult("-n", "sonde-system", "get", "pods", "-o",
                "wide").output() + "\nagent log:\n" + CLUSTER.kubectlResult("-n", "sonde-system", "logs", "-l",
                "app.kubernetes.io/name=sonde-agent", "--tail=80").output());
    }

    /** The DaemonSet's pod on the real node. */
    private static String agentPod() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            RealNodeCluster.Result r = CLUSTER.kubectlResult("-n", "sonde-system", "get", "pods", "-l",
                    "app.kubernetes.io/name=sonde-agent", "--field-selector", "spec.nodeName=" + NODE, "-o",
                    "jsonpath={.items[0].metadata.name}");
            if (r.exit() == 0 && !r.output().isBlank()) {
                return r.output().strip();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no agent pod on " + NODE + ":\n" + CLUSTER.kubectlResult("-n", "sonde-system",
                "get", "ds,pods", "-o", "wide").output());
    }

    private static String kubectl(String... args) throws Exception {
        return CLUSTER.kubectl(args);
    }

    /**
     * shop: a client Deployment of the Service inventory, whose two backend pods are one Deployment, and a resolver;
     * one monitor (flows by pod) selects the client and the resolver. tenant: a client of the same Service, selected
     * by the tenant's own monitor with the same profile (default tenancy: other namespaces by workload).
     */
    private static final String SCENARIO = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: tenant}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: inventory, namespace: shop}
            spec:
              selector: {app: inventory}
              ports: [{name: http, port: 8080, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: inventory, namespace: shop}
            spec:
              replicas: 2
              selector: {matchLabels: {app: inventory}}
              template:
                metadata: {labels: {app: inventory}}
                spec:
                  nodeSelector: {sonde.dev/real-node: "true"}
                  terminationGracePeriodSeconds: 2
                  containers:
                  - {name: server, image: DEMO_IMAGE, imagePullPolicy: IfNotPresent, args: [server, --port, "8080"]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: frontend, namespace: shop}
            spec:
              replicas: 1
              selector: {matchLabels: {app: frontend, role: client}}
              template:
                metadata: {labels: {app: frontend, role: client}}
                spec:
                  nodeSelector: {sonde.dev/real-node: "true"}
                  terminationGracePeriodSeconds: 2
                  containers:
                  - {name: client, image: DEMO_IMAGE, imagePullPolicy: IfNotPresent,
                     args: [client, --host, inventory, --port, "8080", --rate, "20"]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: resolver, namespace: shop}
            spec:
              replicas: 1
              selector: {matchLabels: {app: frontend, role: resolver}}
              template:
                metadata: {labels: {app: frontend, role: resolver}}
                spec:
                  nodeSelector: {sonde.dev/real-node: "true"}
                  terminationGracePeriodSeconds: 2
                  containers:
                  - {name: resolver, image: DEMO_IMAGE, imagePullPolicy: IfNotPresent,
                     args: [dns, --name, inventory.shop.svc.cluster.local, --rate, "2"]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reporter, namespace: tenant}
            spec:
              replicas: 1
              selector: {matchLabels: {app: reporter}}
              template:
                metadata: {labels: {app: reporter}}
                spec:
                  nodeSelector: {sonde.dev/real-node: "true"}
                  terminationGracePeriodSeconds: 2
                  containers:
                  - {name: client, image: DEMO_IMAGE, imagePullPolicy: IfNotPresent,
                     args: [client, --host, inventory.shop.svc.cluster.local, --port, "8080", --rate, "5"]}
            ---
            apiVersion: sonde.dev/v1alpha1
            kind: ProbeProfile
            metadata: {name: flows-by-pod}
            spec:
              interval: 5s
              probes:
              - name: tcpConnections
              - name: tcpRetransmits
              - name: flows
                flows:
                  aggregation: pod
                  externalGroups: [{name: partner, cidrs: [10.251.1.0/24]}]
              health:
                retransmitRatio: {degraded: 0.01, critical: 0.5}
            ---
            apiVersion: sonde.dev/v1alpha1
            kind: ProbeProfile
            metadata: {name: flows-tight}
            spec:
              interval: 5s
              probes:
              - name: flows
                flows: {aggregation: pod, maxPeersPerPod: 2, externalGroups: [{name: partner, cidrs: [10.251.1.0/24]}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: scanner, namespace: shop}
            spec:
              replicas: 1
              selector: {matchLabels: {app: scanner}}
              template:
                metadata: {labels: {app: scanner}}
                spec:
                  nodeSelector: {sonde.dev/real-node: "true"}
                  terminationGracePeriodSeconds: 2
                  containers:
                  - {name: idle, image: DEMO_IMAGE, imagePullPolicy: IfNotPresent,
                     command: [python3, -c, "import time; time.sleep(10**9)"]}
            ---
            apiVersion: sonde.dev/v1alpha1
            kind: NetworkMonitor
            metadata: {name: scanner, namespace: shop}
            spec:
              profile: flows-tight
              podSelector: {matchLabels: {app: scanner}}
              export: {prometheus: {enabled: true}}
            ---
            apiVersion: sonde.dev/v1alpha1
            kind: NetworkMonitor
            metadata: {name: frontend, namespace: shop}
            spec:
              profile: flows-by-pod
              podSelector: {matchLabels: {app: frontend}}
              export: {prometheus: {enabled: true}}
            ---
            apiVersion: sonde.dev/v1alpha1
            kind: NetworkMonitor
            metadata: {name: reporter, namespace: tenant}
            spec:
              profile: flows-by-pod
              podSelector: {matchLabels: {app: reporter}}
              export: {prometheus: {enabled: true}}
            """;

    /**
     * A node of zone-b (KWOK keeps it Ready; the taint keeps everything but the ledger off it, the agent DaemonSet
     * tolerates all taints) and the pod ledger on it, a pod of namespace shop without an owner.
     */
    private static final String OTHER_ZONE = """
            apiVersion: v1
            kind: Node
            metadata:
              name: kwok-zone-b
              annotations: {kwok.x-k8s.io/node: fake}
              labels: {type: kwok, kubernetes.io/hostname: kwok-zone-b, topology.kubernetes.io/zone: zone-b}
            spec:
              taints: [{key: sonde.dev/e2e-zone-b, effect: NoSchedule}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: ledger, namespace: shop, labels: {app: ledger}}
            spec:
              nodeName: kwok-zone-b
              tolerations: [{key: sonde.dev/e2e-zone-b, operator: Exists}]
              containers: [{name: ledger, image: ledger.invalid/ledger:1}]
            """;
}
