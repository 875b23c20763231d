#!/usr/bin/env bash
# A real local Kubernetes control plane as plain processes: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes), plus a Node object
# for this host where the real agent runs in local mode.
#
#   hack/cluster.sh up [--nodes N]   start (or reuse) the cluster; N fake nodes (default 3)
#        [--real-node]               also this host as a real kubelet node (hack/node.sh): containerd, CNI,
#                                    kube-proxy, CoreDNS; the API server then advertises this host's address
#   hack/cluster.sh down             stop every process and delete the state
#   hack/cluster.sh status           print component state; exit 0 only when healthy
#   hack/cluster.sh env              print `export KUBECONFIG=... PATH=...` for eval
#
# State lives in $SONDE_CLUSTER_DIR (default: <repo>/.local/cluster). Ports are on
# 127.0.0.1 and can be moved with SONDE_APISERVER_PORT, SONDE_ETCD_PORT, ... (see below).
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

STATE="${SONDE_CLUSTER_DIR:-$SONDE_ROOT/.local/cluster}"
PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"

APISERVER_PORT="${SONDE_APISERVER_PORT:-16443}"
ETCD_PORT="${SONDE_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${SONDE_ETCD_PEER_PORT:-12380}"
KCM_PORT="${SONDE_KCM_PORT:-20257}"
SCHEDULER_PORT="${SONDE_SCHEDULER_PORT:-20259}"
KWOK_PORT="${SONDE_KWOK_PORT:-20247}"

SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1
POD_CIDR=10.244.0.0/16
HOST_NODE="${SONDE_HOST_NODE:-$(hostname -s | tr '[:upper:]' '[:lower:]')}"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok host-node-heartbeat)

# Every listening port: "<variable that moves it> <component>".
PORTS=(
  "SONDE_ETCD_PORT etcd"
  "SONDE_ETCD_PEER_PORT etcd"
  "SONDE_APISERVER_PORT kube-apiserver"
  "SONDE_KCM_PORT kube-controller-manager"
  "SONDE_SCHEDULER_PORT kube-scheduler"
  "SONDE_KWOK_PORT kwok"
)

port_value() {
  case "$1" in
    SONDE_ETCD_PORT) echo "$ETCD_PORT" ;;
    SONDE_ETCD_PEER_PORT) echo "$ETCD_PEER_PORT" ;;
    SONDE_APISERVER_PORT) echo "$APISERVER_PORT" ;;
    SONDE_KCM_PORT) echo "$KCM_PORT" ;;
    SONDE_SCHEDULER_PORT) echo "$SCHEDULER_PORT" ;;
    SONDE_KWOK_PORT) echo "$KWOK_PORT" ;;
  esac
}


kubectl_() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

apiserver_ready() {
  curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null 2>&1
}

healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do is_running "$c" || return 1; done
  apiserver_ready
}

# ---------------------------------------------------------------------------- pki

make_cert() { # name CN O [san]
  local name="$1" cn="$2" org="$3" san="${4:-}"
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  local subj="/CN=$cn"
  [[ -n "$org" ]] && subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

generate_pki() {
  mkdir -p "$PKI"
  log "generating CA, serving and client certificates, service-account keys"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" \
    -days 365 -sha256 -subj "/CN=sonde-local-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  make_cert apiserver kube-apiserver "" \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$SERVICE_IP${ADVERTISE_IP:+,IP:$ADVERTISE_IP}"
  make_cert admin sonde-admin system:masters
  # The control-plane components and kwok act cluster-wide; test infrastructure, not a hardened setup.
  make_cert controller-manager system:kube-controller-manager system:masters
  make_cert scheduler system:kube-scheduler ""
  make_cert kwok kwok-controller system:masters
  # Front proxy (request-header authentication), as kubeadm sets it up, for aggregated APIs.
  make_cert front-proxy-client front-proxy-client ""
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

write_kubeconfig() { # file user
  local file="$1" user="$2"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sonde-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
    client-certificate: $PKI/$user.crt
    client-key: $PKI/$user.key
contexts:
- name: sonde-local
  context:
    cluster: sonde-local
    user: $user
current-context: sonde-local
EOF
}

# ---------------------------------------------------------------------- processes

check_ports_free() {
  local entry var component port owner
  for entry in "${PORTS[@]}"; do
    read -r var component <<<"$entry"
    port="$(port_value "$var")"
    owner="$(ss -ltnpH "sport = :$port" 2>/dev/null | head -1)"
    if [[ -n "$owner" ]]; then
      die "port $port (for $component) is already in use by ${owner##* }. Stop that process, or set $var to another port."
    fi
  done
}



component_healthz() { # port
  curl -skf --max-time 2 "https://127.0.0.1:$1/healthz" >/dev/null 2>&1
}

etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

start_components() {
  mkdir -p "$LOGS" "$RUN"
  # etcd fsyncs every write; on tmpfs the control plane stays quick on small disks. Data is disposable.
  if [[ -d /dev/shm && -w /dev/shm ]]; then
    local data
    data="/dev/shm/sonde-etcd-$(echo "$STATE" | sha256sum | cut -c1-12)"
    rm -rf "$data" && mkdir -p "$data" && ln -sfn "$data" "$STATE/etcd"
  else
    mkdir -p "$STATE/etcd"
  fi
  start etcd "$BIN/etcd" --name sonde --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "sonde=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync \
    --quota-backend-bytes=$((4 * 1024 * 1024 * 1024))
  wait_for etcd 30 etcd_healthy

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$BIND_ADDRESS" --advertise-address "${ADVERTISE_IP:-127.0.0.1}" --secure-port "$APISERVER_PORT" \
    --kubelet-client-certificate "$PKI/admin.crt" --kubelet-client-key "$PKI/admin.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --requestheader-client-ca-file "$PKI/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --api-audiences https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --allow-privileged=true \
    --profiling=false \
    --cert-dir "$STATE/apiserver-certs"
  wait_for kube-apiserver 90 apiserver_ready

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
    --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --cert-dir "$STATE/kcm-certs"

  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
    --leader-elect=false \
    --cert-dir "$STATE/scheduler-certs"

  start kwok "$BIN/kwok" \
    --kubeconfig "$STATE/kwok.kubeconfig" \
    --config "$(dirname "$BIN")/kwok-stages.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --server-address "127.0.0.1:$KWOK_PORT" \
    --node-lease-duration-seconds 40 \
    --cidr "$POD_CIDR" --node-ip 127.0.0.1

  # The host node has no kubelet: this loop renews its Lease, as a kubelet would, so the node
  # lifecycle controller keeps it Ready and does not evict its pods. kwok does this for fake nodes.
  start host-node-heartbeat bash "$SONDE_ROOT/hack/cluster.sh" _heartbeat "$STATE/"

  wait_for kube-controller-manager 60 component_healthz "$KCM_PORT"
  wait_for kube-scheduler 60 component_healthz "$SCHEDULER_PORT"
  wait_for kwok 60 curl -sf --max-time 2 "http://127.0.0.1:$KWOK_PORT/healthz" -o /dev/null
}

# Kills every process of this cluster: pid files first, then anything still running out of $STATE.
stop_components() {
  local c pid pids=()
  for c in "${COMPONENTS[@]}"; do
    is_running "$c" && pids+=("$(pid_of "$c")")
  done
  while read -r pid; do
    [[ -n "$pid" && "$pid" != "$$" ]] && pids+=("$pid")
  done < <(pgrep -f -- "$STATE/" || true)
  (( ${#pids[@]} == 0 )) && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

remove_state() {
  if [[ -L "$STATE/etcd" ]]; then rm -rf "$(readlink "$STATE/etcd")"; fi
  rm -rf "$STATE"
}

# --------------------------------------------------------------------------- nodes

fake_node_yaml() { # index
  cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$1
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/zone: zone-$(($1 % 3))
status:
  allocatable:
    cpu: "32"
    memory: 256Gi
    pods: "110"
  capacity:
    cpu: "32"
    memory: 256Gi
    pods: "110"
  nodeInfo:
    architecture: amd64
    kubeletVersion: fake
    operatingSystem: linux
EOF
}

ensure_fake_nodes() { # count
  local want="$1" have i
  have="$(kubectl_ get nodes -l type=kwok -o name | wc -l)"
  if (( have < want )); then
    log "creating fake nodes $have..$((want - 1)) (managed by kwok)"
    for ((i = have; i < want; i++)); do fake_node_yaml "$i"; done | kubectl_ apply -f - >/dev/null
  fi
  wait_for "$want kwok nodes Ready" $((60 + want / 5)) fake_nodes_ready "$want"
}

fake_nodes_ready() {
  local ready
  ready="$(kubectl_ get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True || true)"
  (( ready >= $1 ))
}

# This host as a Node: not managed by kwok; the agent runs against it in local mode.
ensure_host_node() {
  if ! kubectl_ get node "$HOST_NODE" >/dev/null 2>&1; then
    log "creating host node $HOST_NODE"
    kubectl_ apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $HOST_NODE
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $HOST_NODE
    kubernetes.io/os: linux
    sonde.dev/local-host: "true"
EOF
  fi
  local now
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  kubectl_ patch node "$HOST_NODE" --subresource=status --type=merge -p "$(cat <<EOF
{"status":{
  "capacity":{"cpu":"$(nproc)","memory":"$(awk '/MemTotal/ {print $2}' /proc/meminfo)Ki","pods":"110"},
  "allocatable":{"cpu":"$(nproc)","memory":"$(awk '/MemTotal/ {print $2}' /proc/meminfo)Ki","pods":"110"},
  "addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"$HOST_NODE"}],
  "nodeInfo":{"architecture":"amd64","operatingSystem":"linux","kernelVersion":"$(uname -r)","kubeletVersion":"sonde-local","osImage":"$(. /etc/os-release && echo "$PRETTY_NAME")"},
  "conditions":[{"type":"Ready","status":"True","reason":"SondeLocalHost","message":"this host, driven by hack/cluster.sh","lastHeartbeatTime":"$now","lastTransitionTime":"$now"}]
}}
EOF
)" >/dev/null
  # With a real node, scheduled pods (the operator Deployment, CoreDNS, a user's workloads) belong there, not on
  # this kubelet-less Node where they would sit unstarted. DaemonSets that tolerate every taint (Sonde's agent)
  # and pods bound by nodeName (local-mode tests, the demo) still land here.
  if [[ -s "$STATE/real-node" ]]; then
    kubectl_ taint node "$HOST_NODE" sonde.dev/local-host=true:NoSchedule --overwrite >/dev/null
  fi
}

# ------------------------------------------------------------------------ commands

cmd_up() {
  local nodes=3 real_node=false
  while (( $# )); do
    case "$1" in
      --real-node) real_node=true; shift ;;
      --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
      --nodes=*) nodes="${1#--nodes=}"; shift ;;
      *) die "unknown option for up: $1" ;;
    esac
  done
  if ! [[ "$nodes" =~ ^[0-9]+$ ]] || (( nodes > 5000 )); then
    die "--nodes must be a number between 0 and 5000"
  fi
  command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
  BIN="$(ensure_tools)"

  # A real node's pods reach the API server through the kubernetes Service: it must advertise (and listen
  # on) this machine's address, not loopback (whose endpoints are invalid). Only then, not by default.
  BIND_ADDRESS=127.0.0.1
  ADVERTISE_IP=""
  if [[ "$real_node" == true ]]; then
    ADVERTISE_IP="$(node_ip)"
    [[ -n "$ADVERTISE_IP" ]] || die "--real-node: no non-loopback IPv4 address on this machine (kubelet needs one)"
    BIND_ADDRESS=0.0.0.0
  fi

  if healthy; then
    log "reusing the running cluster in $STATE"
    if [[ "$real_node" == true && ! -s "$STATE/real-node" ]]; then
      die "the running cluster in $STATE was started without --real-node (its API server advertises 127.0.0.1): hack/cluster.sh down, then up --real-node"
    fi
  else
    if [[ -d "$STATE" ]]; then
      log "found a stopped or broken cluster in $STATE (left by a killed run?); replacing it"
      if [[ -d "$STATE/node" ]]; then bash "$SONDE_ROOT/hack/node.sh" down || true; fi
      stop_components
      remove_state
    fi
    check_ports_free
    mkdir -p "$STATE"
    generate_pki
    write_kubeconfig "$KUBECONFIG_FILE" admin
    write_kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
    write_kubeconfig "$STATE/scheduler.kubeconfig" scheduler
    write_kubeconfig "$STATE/kwok.kubeconfig" kwok
    echo "$BIN" >"$STATE/bin-dir"
    [[ -n "$ADVERTISE_IP" ]] && echo "$ADVERTISE_IP" >"$STATE/real-node"
    start_components
  fi
  ensure_host_node
  ensure_fake_nodes "$nodes"
  if [[ "$real_node" == true ]]; then
    bash "$SONDE_ROOT/hack/node.sh" up
  fi
  log "cluster ready: $(kubectl_ get nodes --no-headers | wc -l) nodes; use: eval \"\$(hack/cluster.sh env)\""
}

cmd_heartbeat() {
  BIN="$(cat "$STATE/bin-dir")"
  while true; do
    kubectl_ apply --server-side --force-conflicts --field-manager=sonde-host-heartbeat -f - >/dev/null <<EOF || true
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: $HOST_NODE
  namespace: kube-node-lease
spec:
  holderIdentity: $HOST_NODE
  leaseDurationSeconds: 40
  renewTime: "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)"
EOF
    sleep 10
  done
}

cmd_down() {
  if [[ ! -d "$STATE" ]]; then
    log "no cluster in $STATE"
    return 0
  fi
  log "stopping the cluster in $STATE"
  # the real node first: its pods and kubelet need the API server to go cleanly
  if [[ -d "$STATE/node" ]]; then
    bash "$SONDE_ROOT/hack/node.sh" down || true
  fi
  stop_components
  remove_state
}

cmd_status() {
  local c ok=0
  if [[ ! -d "$STATE" ]]; then
    echo "no cluster in $STATE"
    return 1
  fi
  for c in "${COMPONENTS[@]}"; do
    if is_running "$c"; then
      printf '%-24s running (pid %s)\n' "$c" "$(pid_of "$c")"
    else
      printf '%-24s NOT running (log: %s)\n' "$c" "$LOGS/$c.log"
      ok=1
    fi
  done
  if apiserver_ready; then
    echo "apiserver               ready at https://127.0.0.1:$APISERVER_PORT"
    BIN="$(cat "$STATE/bin-dir")"
    kubectl_ get nodes --no-headers 2>/dev/null | awk '{n++; if ($2 ~ /^Ready/) r++} END {printf "nodes                   %d (%d Ready)\n", n, r}'
  else
    echo "apiserver               NOT ready"
    ok=1
  fi
  return "$ok"
}

cmd_env() {
  [[ -f "$KUBECONFIG_FILE" ]] || die "no cluster in $STATE: run hack/cluster.sh up"
  echo "export KUBECONFIG='$KUBECONFIG_FILE'"
  echo "export PATH='$(cat "$STATE/bin-dir")':\"\$PATH\""
  echo "export SONDE_HOST_NODE='$HOST_NODE'"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    _heartbeat) cmd_heartbeat ;;
    *) echo "usage: hack/cluster.sh up [--nodes N] [--real-node] | down | status | env" >&2; exit 2 ;;
  esac
}

main "$@"
