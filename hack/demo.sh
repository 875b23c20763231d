#!/usr/bin/env bash
# The main job: Sonde end to end on this machine, deployed as users deploy it, measuring real pods.
#
#   hack/demo.sh        install prerequisites, build, start the local control plane with this host as a real
#                       kubelet node (hack/cluster.sh up --real-node: containerd, CNI, kube-proxy, CoreDNS),
#                       build the sonde-operator, sonde-agent and demo images (hack/images.sh), install Sonde
#                       with kubectl apply -k config/overlays/local-images (operator Deployment -> agent
#                       DaemonSet), start an OpenTelemetry Collector for the agents' OTLP and a Prometheus that
#                       discovers and scrapes the agents and the operator (config/prometheus/), apply
#                       config/samples, and run the demo workloads as Deployments: a checkout client and server behind a
#                       ClusterIP Service with a share of refused connects, DNS lookups through CoreDNS with a
#                       share of missing names, and an inventory client no monitor selects
#   hack/demo.sh traffic [--fail-every N] [--missing-every M]
#                       roll the checkout client and resolver: every N-th connect fails, every M-th lookup is
#                       for a missing name (0: none); defaults 20 and 10
#   hack/demo.sh map [file.png]
#                       the demo's service map from the agents' live flow metrics (Graphviz; default
#                       docs/images/service-map.png): workloads and Services, edges with connections, the share
#                       that failed, and bytes
#   hack/demo.sh down   stop everything the demo started; nothing stays attached
#   hack/demo.sh links  the kernel's links to Sonde's programs (sonde_*), one line each; none once the
#                       agent has detached
#
# Environment: SONDE_DEMO_SKIP_BUILD=1 uses the jars already built (the e2e test does);
# SONDE_DEMO_KEEP_CLUSTER=1 makes "down" remove Sonde and the demo but leave the cluster running;
# SONDE_DEMO_PROMETHEUS_PORT (default 19090) is where the demo's Prometheus listens, on 127.0.0.1;
# SONDE_DEMO_ALERT_FOR=30s loads the alert rules with that `for:` instead of theirs (the e2e test does, to see an
# alert fire and resolve within the test; the rules themselves are unchanged).
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"

DEMO="$SONDE_ROOT/.local/demo"
# the token the demo's Prometheus (and hack/demo.sh map) scrape /metrics with: ServiceAccount monitoring/prometheus
SCRAPE_TOKEN="$DEMO/prometheus.token"
export SONDE_DEMO_OTLP_GRPC_PORT="${SONDE_DEMO_OTLP_GRPC_PORT:-14317}"
export SONDE_DEMO_OTLP_HTTP_PORT="${SONDE_DEMO_OTLP_HTTP_PORT:-14318}"
export SONDE_DEMO_OTLP_FILE="$DEMO/otlp-metrics.json"
PROMETHEUS_PORT="${SONDE_DEMO_PROMETHEUS_PORT:-19090}"
PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
OVERLAY=config/overlays/local-images
REAL_NODE="${SONDE_REAL_NODE:-sonde-node}"

# ------------------------------------------------------------------------- teardown

demo_down() {
  if [[ -d "$DEMO" ]]; then
    local pidfile
    for pidfile in "$DEMO"/*.pid; do
      [[ -f "$pidfile" ]] || continue
      # each was started with setsid: kill its whole process group
      kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    rm -rf "$DEMO"
  fi
  if [[ "${SONDE_DEMO_KEEP_CLUSTER:-}" == 1 ]]; then
    if hack/cluster.sh status >/dev/null 2>&1; then
      eval "$(hack/cluster.sh env)"
      # the workloads first, then Sonde: deleting sonde-system ends the agent pods, which detaches the probes
      kubectl delete namespace demo --ignore-not-found --wait=true --timeout=120s >/dev/null || true
      kubectl delete networkmonitors --all -A --wait=true --timeout=60s >/dev/null 2>&1 || true
      kubectl delete -k "$OVERLAY" --ignore-not-found --wait=true --timeout=180s >/dev/null 2>&1 || true
      # the demo Prometheus' scrape identity (write_metrics_scrape_token)
      kubectl delete clusterrolebinding prometheus-sonde-metrics --ignore-not-found >/dev/null 2>&1 || true
      kubectl delete namespace monitoring --ignore-not-found --wait=false >/dev/null 2>&1 || true
    fi
  else
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

wait_until() { # description seconds command...
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "$what: not after ${timeout}s (logs in $DEMO; kubectl get pods -A)"
    sleep 1
  done
}

checkout_traffic() { # fail-every missing-every
  kubectl -n demo set env deployment/checkout-client "FAIL_EVERY=$1" >/dev/null
  kubectl -n demo set env deployment/checkout-resolver "MISSING_EVERY=$2" >/dev/null
  kubectl -n demo rollout status deployment/checkout-client --timeout=120s >/dev/null
  kubectl -n demo rollout status deployment/checkout-resolver --timeout=120s >/dev/null
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
  eval "$(hack/cluster.sh env)"
  kubectl -n demo get deployment checkout-client >/dev/null 2>&1 || die "no demo running (hack/demo.sh starts one)"
  checkout_traffic "$fail_every" "$missing_every"
  log "checkout traffic: every ${fail_every}th connect fails, every ${missing_every}th lookup is missing (0: none)"
  exit 0
fi

if [[ "${1:-}" == map ]]; then
  out="${2:-docs/images/service-map.png}"
  eval "$(hack/cluster.sh env)"
  command -v dot >/dev/null || { log "installing graphviz"; apt-get install -y -qq graphviz >/dev/null; }
  mkdir -p "$(dirname "$out")"
  metrics=""
  for ip in $(kubectl get pods -n sonde-system -l app.kubernetes.io/name=sonde-agent -o jsonpath='{.items[*].status.podIP}'); do
    metrics+="$(curl -sfk -H "Authorization: Bearer $(cat "$SCRAPE_TOKEN")" "https://$ip:9466/metrics" || true)"$'\n'
  done
  grep -q '^sonde_flow_connections_total' <<<"$metrics" || die "no flow metrics on the agents (is the demo running?)"
  python3 hack/demo/servicemap.py <<<"$metrics" | dot -Tpng -o "$out"
  log "service map: $out"
  exit 0
fi

agent_pod_field() { # jsonpath of the agent pod on the real node
  kubectl get pods -n sonde-system -l app.kubernetes.io/name=sonde-agent --field-selector "spec.nodeName=$REAL_NODE" \
    -o jsonpath="{.items[0].$1}"
}
agent_running() { [[ "$(agent_pod_field status.phase)" == Running ]]; }

# Live: judged from a window in which the demo's traffic was seen, not from the agent's first, empty one.
has_live_health() {
  local health rate
  health="$(kubectl get networkmonitor checkout -n demo -o jsonpath='{.status.health}')"
  rate="$(kubectl get networkmonitor checkout -n demo -o jsonpath='{.status.summary.connectionsPerSecond}')"
  [[ -n "$health" && "$health" != Unknown && -n "$rate" && "$rate" != 0 ]]
}

# A Prometheus on this host, as a user runs one: Kubernetes service discovery and the relabelling of
# config/prometheus/scrape-configs.yaml, the alerts of config/prometheus/rules/sonde.rules.yaml. The only changes: a
# host process reads the API server with the cluster's kubeconfig where an in-cluster one uses its ServiceAccount, and
# scrapes with a token of the ServiceAccount monitoring/prometheus (bound to sonde-metrics-reader) from a file where
# an in-cluster one reads its own mounted token.
start_prometheus() {
  local prometheus rules=config/prometheus/rules/sonde.rules.yaml
  prometheus="$(ensure_prometheus)"
  write_metrics_scrape_token "$SCRAPE_TOKEN"
  sed -E -e "s|^( *)- role: pod$|&\n\1  kubeconfig_file: $KUBECONFIG|" \
    -e "s|credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token|credentials_file: $SCRAPE_TOKEN|" \
    config/prometheus/scrape-configs.yaml >"$DEMO/scrape-configs.yaml"
  if [[ -n "${SONDE_DEMO_ALERT_FOR:-}" ]]; then
    sed -E "s|^( +)for: .*$|\1for: $SONDE_DEMO_ALERT_FOR|" "$rules" >"$DEMO/sonde.rules.yaml"
  else
    cp "$rules" "$DEMO/sonde.rules.yaml"
  fi
  cat >"$DEMO/prometheus.yml" <<EOF
global:
  scrape_interval: 15s
  evaluation_interval: 15s
rule_files: [$DEMO/sonde.rules.yaml]
scrape_config_files: [$DEMO/scrape-configs.yaml]
EOF
  log "starting Prometheus on $PROMETHEUS_URL (scrapes the agents and the operator; log: $DEMO/prometheus.log)"
  run_bg prometheus "$prometheus" --config.file="$DEMO/prometheus.yml" --storage.tsdb.path="$DEMO/prometheus-data" \
    --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  wait_until "Prometheus ready on $PROMETHEUS_URL" 60 curl -fs "$PROMETHEUS_URL/-/ready"
}

# True when the demo's Prometheus has a non-empty result for the PromQL expression $1.
prometheus_has() {
  curl -fsG "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" | jq -e '.data.result | length > 0'
}

# ---------------------------------------------------------------------------- main

(( EUID == 0 )) || die "the demo runs a kubelet node and loads eBPF programs: run it as root"
install_prerequisites
require_java
for port in "$SONDE_DEMO_OTLP_GRPC_PORT" "$SONDE_DEMO_OTLP_HTTP_PORT" "$PROMETHEUS_PORT"; do
  [[ -z "$(ss -ltnH "sport = :$port")" ]] \
    || die "port $port is in use; hack/demo.sh down, or set SONDE_DEMO_OTLP_*_PORT / SONDE_DEMO_PROMETHEUS_PORT"
done

if [[ -d "$DEMO" ]]; then
  log "a previous demo is still around; stopping it first"
  SONDE_DEMO_KEEP_CLUSTER=1 demo_down
fi
mkdir -p "$DEMO"

hack/cluster.sh up --nodes "${SONDE_DEMO_NODES:-0}" --real-node
eval "$(hack/cluster.sh env)"
node_ip="$(cat "${SONDE_CLUSTER_DIR:-$SONDE_ROOT/.local/cluster}/real-node")"

if [[ "${SONDE_DEMO_SKIP_BUILD:-}" == 1 ]]; then
  [[ -f operator/target/quarkus-app/quarkus-run.jar && -f node-agent/target/sonde-node-agent.jar ]] \
    || die "SONDE_DEMO_SKIP_BUILD=1 but the operator or agent jar is missing: build them first"
else
  log "building the operator and the agent"
  ./mvnw -B -q -ntp -pl operator,node-agent -am package -DskipTests -DskipITs
fi
log "building the images and loading them into the node's containerd (hack/images.sh)"
hack/images.sh build
demo_image="$(hack/images.sh refs | sed -n 3p)"

# The Collector runs on this host, where the demo and the tests read its file; agent pods reach it at the
# node's address.
log "starting an OpenTelemetry Collector on $node_ip:$SONDE_DEMO_OTLP_GRPC_PORT (OTLP/gRPC) and :$SONDE_DEMO_OTLP_HTTP_PORT (HTTP)"
export SONDE_DEMO_OTLP_ADDRESS="$node_ip"
run_bg otelcol "$(ensure_otelcol)" --config="file:$SONDE_ROOT/hack/demo/otelcol.yaml"

log "installing Sonde: kubectl apply --server-side -k $OVERLAY"
kubectl apply --server-side -k "$OVERLAY" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl -n sonde-system rollout status deployment/sonde-operator --timeout=300s >/dev/null

start_prometheus

log "applying config/samples"
kubectl apply --server-side -f config/samples/ >/dev/null
# The sample exports to an in-cluster collector; here the collector runs on this host.
kubectl patch networkmonitor checkout -n demo --type=merge \
  -p "{\"spec\":{\"export\":{\"otlp\":{\"endpoint\":\"http://$node_ip:$SONDE_DEMO_OTLP_GRPC_PORT\"}}}}" >/dev/null

# who talks to whom: the checkout and inventory pods with the flows profile (hack/demo.sh map draws it)
kubectl apply --server-side -f hack/demo/peers-monitor.yaml >/dev/null

log "starting the demo workloads on $REAL_NODE"
sed "s|DEMO_IMAGE|$demo_image|" hack/demo/workloads.yaml | kubectl apply --server-side -f - >/dev/null
for deployment in checkout-server checkout-client checkout-resolver inventory; do
  kubectl -n demo rollout status "deployment/$deployment" --timeout=180s >/dev/null
done
wait_until "the agent pod on $REAL_NODE Running" 180 agent_running

log "waiting for the monitors to be Ready with live health (first window: 15 s)"
wait_until "NetworkMonitor demo/checkout Ready" 120 \
  kubectl wait --for=condition=Ready networkmonitor/checkout -n demo --timeout=5s
wait_until "a health for demo/checkout from live traffic" 120 has_live_health
wait_until "the demo pods' sonde_tcp_connect_failures_total in Prometheus ($PROMETHEUS_URL)" 90 \
  prometheus_has 'sonde_tcp_connect_failures_total{k8s_namespace_name="demo"}'

agent_ip="$(agent_pod_field status.podIP)"
kubectl get networkmonitors -A
echo
kubectl get pods -A -o wide --field-selector "spec.nodeName=$REAL_NODE"
cat <<EOF

Sonde runs as users run it: the operator Deployment and the agent DaemonSet in sonde-system, measuring the
demo's pods on $REAL_NODE. Try:

  eval "\$(hack/cluster.sh env)"
  kubectl get networkmonitors -A -w                 # health and numbers every 15 s
  kubectl describe networkmonitor checkout -n demo  # conditions, health reasons, Events
  kubectl get agentreport $REAL_NODE -n sonde-system -o yaml
  kubectl logs -n sonde-system ds/sonde-agent       # the agent (one per node)
  kubectl logs -n sonde-system deploy/sonde-operator
  kubectl exec -n demo deploy/checkout-client -- cat /proc/net/snmp   # the pod's own TCP counters
  curl -sk -H "Authorization: Bearer \$(cat $SCRAPE_TOKEN)" https://$agent_ip:9466/metrics \\
    | grep '^sonde_tcp_connect_failures_total'      # per-pod, Prometheus (HTTPS, a token allowed get /metrics)
  kubectl get networkmonitor peers -n demo -o jsonpath='{.status.peers}'   # who the demo pods talk to
  hack/demo.sh map                                  # the service map, from the live flows, as a PNG
  tail -c 2000 $SONDE_DEMO_OTLP_FILE                  # per-pod OTLP, as the collector received it
  hack/demo.sh traffic --fail-every 0 --missing-every 0   # no failures: Healthy after a window
  kubectl patch networkmonitor checkout -n demo --type=merge -p '{"spec":{"paused":true}}'
  hack/demo.sh links                                # paused: no lines once the agent has detached
  hack/demo.sh down                                 # stop everything

Prometheus (a host process: its HTTP API; built without the web UI) scrapes the agents and the operator:
  $PROMETHEUS_URL
  curl -sG $PROMETHEUS_URL/api/v1/query --data-urlencode 'query=sonde_tcp_connect_failures_total{k8s_namespace_name="demo"}' | jq .
  curl -s $PROMETHEUS_URL/api/v1/alerts | jq .   # config/prometheus/rules/sonde.rules.yaml (SondeMonitorDegraded after 10 min)
  Grafana: import config/grafana/*.json, with this Prometheus as the data source
EOF
