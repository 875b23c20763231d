#!/usr/bin/env bash
# The main job: Sonde end to end on this machine.
#
#   hack/demo.sh        install prerequisites, build, start the local control plane (3 kwok nodes
#                       + this host), install CRDs and RBAC, run the operator (as its ServiceAccount)
#                       and the real agent for this host, an OpenTelemetry Collector receiving the
#                       agent's OTLP, apply config/samples, and start demo workloads as pods on this
#                       host: a client/server pair with a share of failing connects, and DNS lookups
#                       (some for missing names) against dnsmasq
#   hack/demo.sh traffic [--fail-every N] [--missing-every M]
#                       restart the checkout client and resolver: every N-th connect fails, every
#                       M-th lookup is for a missing name (0: none); defaults 20 and 10
#   hack/demo.sh down   stop everything the demo started; nothing stays attached
#   hack/demo.sh links  the kernel's links to Sonde's programs (sonde_*), one line each; none once the
#                       agent has detached
#
# Environment: SONDE_DEMO_SKIP_BUILD=1 uses the jars already built (the e2e test does);
# SONDE_DEMO_KEEP_CLUSTER=1 makes "down" leave the local control plane running.
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"

DEMO="$SONDE_ROOT/.local/demo"
OPERATOR_PORT="${SONDE_DEMO_OPERATOR_PORT:-18080}"
SERVER_PORT="${SONDE_DEMO_SERVER_PORT:-18081}"
CLOSED_PORT="${SONDE_DEMO_CLOSED_PORT:-18089}" # nothing listens here: connects to it fail
AGENT_METRICS_PORT="${SONDE_DEMO_AGENT_METRICS_PORT:-18082}"
export SONDE_DEMO_OTLP_GRPC_PORT="${SONDE_DEMO_OTLP_GRPC_PORT:-14317}"
export SONDE_DEMO_OTLP_HTTP_PORT="${SONDE_DEMO_OTLP_HTTP_PORT:-14318}"
export SONDE_DEMO_OTLP_FILE="$DEMO/otlp-metrics.json"
DNS_PORT=53                                     # what the profiles' dns probe watches

# ------------------------------------------------------------------------- teardown

demo_down() {
  if [[ -d "$DEMO" ]]; then
    local pidfile pid
    for pidfile in "$DEMO"/*.pid; do
      [[ -f "$pidfile" ]] || continue
      pid="$(cat "$pidfile")"
      # each was started with setsid: kill its whole process group
      kill -TERM -- "-$pid" 2>/dev/null || true
    done
    sleep 1
    for pidfile in "$DEMO"/*.pid; do
      [[ -f "$pidfile" ]] || continue
      kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    if [[ -f "$DEMO/cgroups" ]]; then
      # deepest first: a cgroup can only be removed once it has no children and no processes
      tac "$DEMO/cgroups" | while read -r dir; do rmdir "$dir" 2>/dev/null || true; done
    fi
    rm -rf "$DEMO"
  fi
  if [[ "${SONDE_DEMO_KEEP_CLUSTER:-}" != 1 ]]; then
    hack/cluster.sh down
  fi
  if bpftool prog show 2>/dev/null | grep -q ' name sonde_'; then
    log "warning: sonde BPF programs are still loaded (another agent running?)"
  fi
}

if [[ "${1:-}" == down ]]; then
  demo_down
  exit 0
fi

# ---------------------------------------------------------------------------- links

# Prints "<link id>: <link type>  prog <id> <name>" for each link whose program is one of Sonde's. A link
# names its program by id only (so `bpftool link show | grep sonde` finds nothing): join with the programs.
sonde_links() {
  local bpf
  bpf="$({ bpftool -j prog show && bpftool -j link show; } | jq -s -c .)" \
    || die "bpftool failed (run as root; apt-get install bpftool jq)"
  jq -r '
    (.[0] | map(select((.name // "") | startswith("sonde_"))) | map({key: (.id | tostring), value: .name})
      | from_entries) as $sonde
    | .[1][] | select($sonde[.prog_id | tostring] != null)
    | "\(.id): \(.type)  prog \(.prog_id) \($sonde[.prog_id | tostring])"' <<<"$bpf"
}

if [[ "${1:-}" == links ]]; then
  (( EUID == 0 )) || die "bpftool needs root to list links and programs"
  links="$(sonde_links)"
  [[ -z "$links" ]] || printf '%s\n' "$links"
  log "$(grep -c . <<<"$links" || true) links to sonde_* programs"
  exit 0
fi

# ------------------------------------------------------------------------- helpers

run_bg() { # name command... : a process group of its own, logged, pid recorded
  local name="$1"; shift
  setsid "$@" >"$DEMO/$name.log" 2>&1 </dev/null &
  echo $! >"$DEMO/$name.pid"
}

# A kubeconfig that authenticates with a ServiceAccount token instead of the admin certificate.
token_kubeconfig() { # file token
  local server ca
  server="$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.server}')"
  ca="$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sonde-local
  cluster: {server: "$server", certificate-authority: "$ca"}
users:
- name: service-account
  user: {token: "$2"}
contexts:
- name: service-account
  context: {cluster: sonde-local, user: service-account, namespace: sonde-system}
current-context: service-account
EOF
  chmod 600 "$1"
}

wait_until() { # description seconds command...
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "$what: not after ${timeout}s (logs in $DEMO)"
    sleep 1
  done
}

# A pod bound to this host, its cgroup laid out as the kubelet's systemd driver would (BestEffort,
# containerd), marked Running as a kubelet would, and a process in that cgroup.
start_pod() { # name app command...
  local name="$1" app="$2"; shift 2
  kubectl apply --server-side -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $name, namespace: demo, labels: {app: $app}}
spec:
  nodeName: $SONDE_HOST_NODE
  containers: [{name: $app, image: registry.invalid/sonde-demo/$app:latest}]
EOF
  local uid cgroup root slice
  uid="$(kubectl get pod -n demo "$name" -o jsonpath='{.metadata.uid}')"
  root="$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)"
  slice="$root/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice"
  cgroup="$slice/cri-containerd-$(head -c 32 /dev/urandom | sha256sum | cut -c1-64).scope"
  local dir
  for dir in "$root/kubepods.slice" "$root/kubepods.slice/kubepods-besteffort.slice" "$slice" "$cgroup"; do
    if [[ ! -d "$dir" ]]; then
      mkdir "$dir"
      echo "$dir" >>"$DEMO/cgroups"
    fi
  done
  kubectl patch pod -n demo "$name" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"Running\",
    \"podIP\":\"127.0.0.1\",\"podIPs\":[{\"ip\":\"127.0.0.1\"}],\"startTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",
    \"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"True\"}]}}" >/dev/null
  echo "$cgroup" >"$DEMO/pod-$name.cgroup"
  run_in_pod "$name" "$@"
}

run_in_pod() { # name command... : (re)start the pod's process in its cgroup
  local name="$1"; shift
  # shellcheck disable=SC2016 # expanded by the inner shell: its own pid into the pod's cgroup
  run_bg "pod-$name" sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$(cat "$DEMO/pod-$name.cgroup")" "$@"
}

stop_bg() { # name : stop a process group run_bg started
  local pidfile="$DEMO/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

checkout_traffic() { # fail-every missing-every
  run_in_pod checkout-client python3 hack/demo/workload.py client --port "$SERVER_PORT" \
    --closed-port "$CLOSED_PORT" --fail-every "$1" --rate 20
  run_in_pod checkout-resolver python3 hack/demo/workload.py dns --port "$DNS_PORT" --missing-every "$2" --rate 5
}

if [[ "${1:-}" == traffic ]]; then
  shift
  fail_every=20 missing_every=10
  while (( $# )); do
    case "$1" in
      --fail-every) fail_every="$2"; shift 2 ;;
      --missing-every) missing_every="$2"; shift 2 ;;
      *) die "usage: hack/demo.sh traffic [--fail-every N] [--missing-every M]" ;;
    esac
  done
  [[ -f "$DEMO/pod-checkout-client.cgroup" ]] || die "no demo running (hack/demo.sh starts one)"
  stop_bg pod-checkout-client
  stop_bg pod-checkout-resolver
  checkout_traffic "$fail_every" "$missing_every"
  log "checkout traffic: every ${fail_every}th connect fails, every ${missing_every}th lookup is missing (0: none)"
  exit 0
fi

# ---------------------------------------------------------------------------- main

(( EUID == 0 )) || die "the demo loads eBPF programs and creates cgroups: run it as root"
install_prerequisites
require_java
for port in "$OPERATOR_PORT" "$SERVER_PORT" "$AGENT_METRICS_PORT" "$SONDE_DEMO_OTLP_GRPC_PORT" \
  "$SONDE_DEMO_OTLP_HTTP_PORT"; do
  [[ -z "$(ss -ltnH "sport = :$port")" ]] || die "port $port is in use; hack/demo.sh down, or set SONDE_DEMO_*_PORT"
done
[[ -z "$(ss -lunH "sport = :$DNS_PORT")" ]] || die "UDP port 53 is in use: the demo runs dnsmasq on 127.0.0.1:53"

if [[ -d "$DEMO" ]]; then
  log "a previous demo is still around; stopping it first"
  demo_down
fi
mkdir -p "$DEMO"

hack/cluster.sh up --nodes "${SONDE_DEMO_NODES:-3}"
eval "$(hack/cluster.sh env)"

if [[ "${SONDE_DEMO_SKIP_BUILD:-}" == 1 ]]; then
  [[ -f operator/target/quarkus-app/quarkus-run.jar && -f node-agent/target/sonde-node-agent.jar ]] \
    || die "SONDE_DEMO_SKIP_BUILD=1 but the operator or agent jar is missing: build them first"
else
  log "building the operator and the agent"
  ./mvnw -B -q -ntp -pl operator,node-agent -am package -DskipTests -DskipITs
fi

log "starting an OpenTelemetry Collector on 127.0.0.1:$SONDE_DEMO_OTLP_GRPC_PORT (OTLP/gRPC) and :$SONDE_DEMO_OTLP_HTTP_PORT (HTTP)"
otelcol="$(ensure_otelcol)"
run_bg otelcol "$otelcol" --config="file:$SONDE_ROOT/hack/demo/otelcol.yaml"

log "installing CRDs and RBAC"
kubectl apply --server-side -f crds/ >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl apply --server-side -f config/rbac/ >/dev/null

log "starting the operator as system:serviceaccount:sonde-system:sonde-operator (log: $DEMO/operator.log)"
token_kubeconfig "$DEMO/operator.kubeconfig" "$(kubectl create token sonde-operator -n sonde-system --duration=24h)"
KUBECONFIG="$DEMO/operator.kubeconfig" run_bg operator "$JAVA_HOME/bin/java" -Dquarkus.http.port="$OPERATOR_PORT" \
  -jar operator/target/quarkus-app/quarkus-run.jar

log "applying config/samples"
kubectl apply --server-side -f config/samples/ >/dev/null
# The sample exports to an in-cluster collector; here the collector runs on this host.
kubectl patch networkmonitor checkout -n demo --type=merge \
  -p "{\"spec\":{\"export\":{\"otlp\":{\"endpoint\":\"http://127.0.0.1:$SONDE_DEMO_OTLP_GRPC_PORT\"}}}}" >/dev/null

# The operator's DaemonSet puts an agent pod on every node; on this host nobody runs it, so the real
# agent runs here as that pod: with a token bound to it, which names this node (the AgentReport
# admission policy lets it write only this node's report).
log "waiting for the operator to create the agent DaemonSet"
agent_pod() {
  kubectl get pods -n sonde-system -l app.kubernetes.io/name=sonde-agent \
    --field-selector "spec.nodeName=$SONDE_HOST_NODE" -o jsonpath='{.items[0].metadata.name}'
}
agent_pod_exists() { [[ -n "$(agent_pod 2>/dev/null)" ]]; }
wait_until "the agent pod for $SONDE_HOST_NODE" 120 agent_pod_exists
pod="$(agent_pod)"
log "starting the agent for node $SONDE_HOST_NODE as pod sonde-system/$pod (log: $DEMO/agent.log)"
token_kubeconfig "$DEMO/agent.kubeconfig" "$(kubectl create token sonde-agent -n sonde-system \
  --bound-object-kind=Pod --bound-object-name="$pod" --duration=24h)"
KUBECONFIG="$DEMO/agent.kubeconfig" NODE_NAME="$SONDE_HOST_NODE" SONDE_NAMESPACE=sonde-system \
  SONDE_METRICS_ADDRESS="127.0.0.1:$AGENT_METRICS_PORT" \
  SONDE_OTLP_ENDPOINT="http://127.0.0.1:$SONDE_DEMO_OTLP_GRPC_PORT" \
  run_bg agent "$JAVA_HOME/bin/java" "${AGENT_JAVA_OPTS[@]}" -jar node-agent/target/sonde-node-agent.jar

log "starting demo workloads on $SONDE_HOST_NODE"
run_bg dnsmasq dnsmasq --keep-in-foreground --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
  --bind-interfaces --listen-address=127.0.0.1 --port="$DNS_PORT" --local=/sonde.test/ \
  --host-record=checkout.demo.sonde.test,127.0.0.1 --pid-file= --user=root
start_pod checkout-server checkout python3 hack/demo/workload.py server --port "$SERVER_PORT"
start_pod checkout-client checkout true
start_pod checkout-resolver checkout true
checkout_traffic 20 10
start_pod inventory inventory python3 hack/demo/workload.py client --port "$SERVER_PORT" --rate 5

log "waiting for the monitors to be Ready with live health (first window: 15 s)"
wait_until "NetworkMonitor demo/checkout Ready" 120 \
  kubectl wait --for=condition=Ready networkmonitor/checkout -n demo --timeout=5s
# Live: judged from a window in which the demo's traffic was seen, not from the agent's first, empty one.
has_live_health() {
  local health rate
  health="$(kubectl get networkmonitor checkout -n demo -o jsonpath='{.status.health}')"
  rate="$(kubectl get networkmonitor checkout -n demo -o jsonpath='{.status.summary.connectionsPerSecond}')"
  [[ -n "$health" && "$health" != Unknown && -n "$rate" && "$rate" != 0 ]]
}
wait_until "a health for demo/checkout from live traffic" 120 has_live_health

kubectl get networkmonitors -A
echo
kubectl get probeprofiles
cat <<EOF

Sonde runs: the operator (log $DEMO/operator.log) and the agent for $SONDE_HOST_NODE
(log $DEMO/agent.log) measure the demo pods in namespace demo. Try:

  eval "\$(hack/cluster.sh env)"
  kubectl get networkmonitors -A -w                 # health and numbers every 15 s
  kubectl describe networkmonitor checkout -n demo  # conditions, health reasons, Events
  kubectl get agentreport $SONDE_HOST_NODE -n sonde-system -o yaml
  curl -s localhost:$OPERATOR_PORT/q/metrics | grep sonde_    # operator metrics
  curl -s localhost:$AGENT_METRICS_PORT/metrics | grep 'sonde_tcp_connections_total'   # per-pod, Prometheus
  tail -c 2000 $SONDE_DEMO_OTLP_FILE                  # per-pod OTLP, as the collector received it
  hack/demo.sh traffic --fail-every 0 --missing-every 0   # no failures: Healthy after a window
  kubectl patch networkmonitor checkout -n demo --type=merge -p '{"spec":{"paused":true}}'
  hack/demo.sh links                                # paused: no lines once the agent has detached
  hack/demo.sh down                                 # stop everything
EOF
