package dev.sonde.e2e;

import static dev.sonde.e2e.RealNodeCluster.NODE;
import static dev.sonde.e2e.RealNodeCluster.sh;
import static dev.sonde.e2e.RealNodeCluster.writeTemp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code hack/cluster.sh up --real-node}: this host as a real kubelet node (containerd, CNI, kube-proxy, CoreDNS)
 * of its own control plane ({@link RealNodeCluster}). Real pods get their own
 * network namespaces and IPs, reach each other through a ClusterIP Service found by name through CoreDNS, and
 * {@code kubectl logs/exec} work. Then {@code down} must leave nothing behind: no process, mount, network
 * namespace, link, nftables table, cgroup or runtime state — each checked against the machine itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNodeIT {

    private static final RealNodeCluster CLUSTER = new RealNodeCluster("sonde-real-node-it");
    private static final Path STATE = CLUSTER.state();
    private static List<String> tablesBefore;
    private static String ipForwardBefore;

    @BeforeAll
    static void startTheNode() throws Exception {
        tablesBefore = nftTables();
        ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        CLUSTER.up();
    }

    @AfterAll
    static void stopTheNode() throws Exception {
        CLUSTER.down();
    }

    @Test
    @Order(1)
    void theNodeIsARealKubeletWithItsOwnAddress() throws Exception {
        String node = kubectl("get", "node", NODE, "-o",
                "jsonpath={.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion} "
                        + "{.status.addresses[?(@.type==\"InternalIP\")].address} "
                        + "{.status.conditions[?(@.type==\"Ready\")].status}");
        System.out.println("real node: " + node);
        String[] f = node.split(" ");
        assertThat(f[0]).as("kubelet version from the pinned module").startsWith("v1.36.");
        assertThat(f[1]).startsWith("containerd://");
        assertThat(f[2]).as("node IP").isNotEmpty().doesNotStartWith("127.");
        assertThat(f[3]).isEqualTo("True");
    }

    @Test
    @Order(2)
    void podsHaveTheirOwnNetworkAndReachAServiceByName() throws Exception {
        kubectl("create", "namespace", "rn");
        kubectl("apply", "-f", writeTemp("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: rn, labels: {app: web}}
                spec:
                  nodeSelector: {kubernetes.io/hostname: %s}
                  containers:
                  - name: web
                    image: localhost/busybox:local
                    imagePullPolicy: Never
                    command: [nc, -ll, -p, "8080", -e, echo, hello-from-web]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: rn}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client, namespace: rn}
                spec:
                  nodeSelector: {kubernetes.io/hostname: %s}
                  containers:
                  - name: client
                    image: localhost/busybox:local
                    imagePullPolicy: Never
                    command: [sh, -c, "echo client-started; sleep 3600"]
                """.formatted(NODE, NODE)).toString());
        kubectl("wait", "--for=condition=Ready", "pod/web", "pod/client", "-n", "rn", "--timeout=90s");

        String webIp = kubectl("get", "pod", "web", "-n", "rn", "-o", "jsonpath={.status.podIP}");
        String clientIp = kubectl("get", "pod", "client", "-n", "rn", "-o", "jsonpath={.status.podIP}");
        assertThat(webIp).as("pod IPs from the node's CNI range").startsWith("10.89.0.").isNotEqualTo(clientIp);
        // the pod's own network namespace: its only non-loopback address is its pod IP
        assertThat(kubectl("exec", "client", "-n", "rn", "--", "ip", "-4", "-o", "addr", "show", "scope", "global"))
                .contains(clientIp + "/").doesNotContain("192.0.2.");
        assertThat(kubectl("exec", "client", "-n", "rn", "--", "nslookup", "web.rn.svc.cluster.local"))
                .as("CoreDNS answers the Service's name")
                .contains(kubectl("get", "service", "web", "-n", "rn", "-o", "jsonpath={.spec.clusterIP}"));
        assertThat(kubectl("exec", "client", "-n", "rn", "--", "sh", "-c", "nc -w 3 web 80 </dev/null"))
                .as("through the ClusterIP (kube-proxy, nftables) by its short name").contains("hello-from-web");
        assertThat(kubectl("logs", "client", "-n", "rn")).contains("client-started");
    }

    @Test
    @Order(3)
    void downLeavesNothingBehind() throws Exception {
        RealNodeCluster.Result down = CLUSTER.down();
        assertThat(down.exit()).as("hack/cluster.sh down:\n" + down.output()).isZero();

        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(STATE.toString()) || c.contains("sonde-kubelet-") || c.contains("sonde-node-")))
                .as("processes of the node").isEmpty();
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(STATE.toString()) || l.contains("sonde-kubelet-") || l.contains("sonde-node-")
                        || l.contains("/netns/cni-")))
                .as("mounts").isEmpty();
        assertThat(sh("ls /var/run/netns 2>/dev/null | grep '^cni-' || true")).as("pod network namespaces").isEmpty();
        assertThat(sh("ip -o link show | grep -E 'sonde0|veth' || true")).as("bridge and veths").isEmpty();
        assertThat(nftTables()).as("nftables tables (kube-proxy's, and kubelet's iptables-nft ones)")
                .containsExactlyInAnyOrderElementsOf(tablesBefore);
        assertThat(sh("ls -d /sys/fs/cgroup/*/kubepods 2>/dev/null || true")).as("pod cgroups").isEmpty();
        assertThat(sh("ls -d /run/sonde-node-* /var/lib/sonde-kubelet-* 2>/dev/null || true"))
                .as("runtime and kubelet state").isEmpty();
        assertThat(STATE).doesNotExist();
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip()).as("net.ipv4.ip_forward")
                .isEqualTo(ipForwardBefore);
    }

    private static List<String> nftTables() throws Exception {
        return sh("nft list tables").lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static String kubectl(String... args) throws Exception {
        return CLUSTER.kubectl(args);
    }
}
