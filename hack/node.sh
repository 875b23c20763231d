#!/usr/bin/env bash
# This host as a real Kubernetes node of the local control plane (hack/cluster.sh): containerd + runc
# (Debian's), CNI bridge + host-local (Debian's plugins), kubelet and kube-proxy (nftables mode) from the
# pinned k8s.io/kubernetes module, and CoreDNS (pinned module) as the cluster DNS add-on at 10.96.0.10.
# Real pods: own network namespaces and IPs, Services, cluster DNS; images are loaded locally (no registry).
#
#   hack/node.sh up       start (or reuse) the node; needs a running hack/cluster.sh started with --real-node
#   hack/node.sh down     delete its pods, stop everything, and leave no process, mount, netns, link,
#                         nftables table, cgroup or containerd state behind
#   hack/node.sh status   exit 0 only when the node is Ready and CoreDNS answers
#   hack/node.sh import TAR...   import docker-archive image tars into the node's containerd
#   hack/node.sh image-label REF KEY [VALUE]   print (or set) a label of an image in the node's containerd;
#                         fails only when the node's containerd is not running
#
# State lives in $SONDE_CLUSTER_DIR/node. The node is named $SONDE_REAL_NODE (default sonde-node), apart
# from the local-mode host node, whose pods are cgroups that tests make.
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

CLUSTER="${SONDE_CLUSTER_DIR:-$SONDE_ROOT/.local/cluster}"
STATE="$CLUSTER/node"
NODE_NAME="${SONDE_REAL_NODE:-sonde-node}"
# Short, fixed runtime paths: unix socket paths are limited to 108 bytes, and names must not collide with a
# containerd or kubelet the machine may run itself.
RUNDIR="/run/sonde-node-$(echo "$CLUSTER" | sha256sum | cut -c1-8)"
SOCK="$RUNDIR/containerd.sock"
KUBELET_ROOT="/var/lib/sonde-kubelet-$(echo "$CLUSTER" | sha256sum | cut -c1-8)"
BRIDGE="sonde0"
NODE_POD_CIDR="${SONDE_NODE_POD_CIDR:-10.89.0.0/24}"
CLUSTER_DNS=10.96.0.10
PAUSE_IMAGE="registry.k8s.io/pause:3.10.2-local"
LOGS="$STATE/logs"
RUN="$STATE/run"
NODE_COMPONENTS=(containerd kubelet kube-proxy)
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables umoci skopeo busybox-static gcc libc6-dev)

kubectl_() { "$BIN/kubectl" --kubeconfig "$CLUSTER/admin.kubeconfig" "$@"; }




install_node_packages() {
  local missing=() pkg
  for pkg in "${NODE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  (( ${#missing[@]} == 0 )) && return 0
  log "apt-get install ${missing[*]}"
  # Debian's containerd would start itself where an init system runs: nothing here may start on install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

# ------------------------------------------------------------------------------------------------ images

# One-layer images without a registry or a daemon: umoci builds the OCI layout, skopeo writes a docker-archive
# that keeps the full reference, which `ctr images import` files under that name.
image_from_dir() { # reference rootfs-dir entrypoint|cmd args... -> tar path on stdout
  local ref="$1" rootfs="$2" kind="$3"; shift 3
  local work tar
  work="$(mktemp -d)"
  tar="$STATE/images/$(echo "$ref" | tr '/:' '__').tar"
  umoci init --layout "$work/oci" >/dev/null
  umoci new --image "$work/oci:img" >/dev/null
  umoci unpack --rootless --image "$work/oci:img" "$work/bundle" >/dev/null 2>&1 || umoci unpack --image "$work/oci:img" "$work/bundle" >/dev/null
  cp -a "$rootfs/." "$work/bundle/rootfs/"
  umoci repack --image "$work/oci:img" "$work/bundle" >/dev/null
  local cfg=(--image "$work/oci:img" --config.user 0)
  local arg
  for arg in "$@"; do cfg+=("--config.$kind" "$arg"); done
  umoci config "${cfg[@]}" >/dev/null
  mkdir -p "$STATE/images"
  rm -f "$tar"
  skopeo copy --quiet "oci:$work/oci:img" "docker-archive:$tar:$ref" >/dev/null
  rm -rf "$work"
  echo "$tar"
}

build_node_images() {
  local k8s_dir work
  k8s_dir="$(cd "$SONDE_ROOT/hack/tools" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)" \
    || die "cannot locate the k8s.io/kubernetes module (go mod download in hack/tools)"
  work="$(mktemp -d)"
  mkdir -p "$work/pause" "$work/coredns/etc" "$work/busybox/bin"
  gcc -Os -Wall -Werror -static -DVERSION=v3.10.2-local -o "$work/pause/pause" "$k8s_dir/build/pause/linux/pause.c"
  strip "$work/pause/pause"
  local tars=()
  tars+=("$(image_from_dir "$PAUSE_IMAGE" "$work/pause" entrypoint /pause)")
  cp "$(ensure_coredns)" "$work/coredns/coredns"
  tars+=("$(image_from_dir "localhost/coredns:local" "$work/coredns" entrypoint /coredns)")
  # busybox for test and demo pods: nc, sh, nslookup (its wget needs NSS the image lacks)
  cp /bin/busybox "$work/busybox/bin/busybox"
  for applet in sh nc nslookup sleep cat echo ls ip ps httpd timeout wc; do ln -sf busybox "$work/busybox/bin/$applet"; done
  tars+=("$(image_from_dir "localhost/busybox:local" "$work/busybox" cmd /bin/sh)")
  import_images "${tars[@]}"
  rm -rf "$work"
}

import_images() { # tar...
  local tar
  for tar in "$@"; do
    ctr --address "$SOCK" -n k8s.io images import "$tar" >/dev/null \
      || die "importing $tar into the node's containerd failed"
  done
}

# ------------------------------------------------------------------------------------------------ config

write_configs() {
  local ip="$1" dir
  mkdir -p "$STATE/cni" "$STATE/containerd" "$LOGS" "$RUN" "$RUNDIR" "$KUBELET_ROOT"
  cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$RUNDIR/containerd-state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # this machine grants no CAP_SYS_RESOURCE: without this every sandbox fails to lower its oom_score_adj
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni"
EOF
  # containerd reloads the conflist on every change: write it whole
  cat >"$STATE/cni/10-sonde.conflist.tmp" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "sonde",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$RUNDIR/cni-ipam"
      }
    }
  ]
}
EOF
  mv "$STATE/cni/10-sonde.conflist.tmp" "$STATE/cni/10-sonde.conflist"

  # the kubelet's and kube-proxy's client certificates, from the cluster's CA
  make_client_cert kubelet "system:node:$NODE_NAME" system:nodes
  make_client_cert kube-proxy system:kube-proxy ""
  write_node_kubeconfig kubelet
  write_node_kubeconfig kube-proxy

  cat >"$STATE/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# hybrid cgroup v1 host with no systemd: the cgroupfs driver, and cgroup v1 allowed (1.35+ refuses it by default)
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
address: $ip
port: ${SONDE_KUBELET_PORT:-10250}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${SONDE_KUBELET_HEALTHZ_PORT:-10248}
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $CLUSTER/pki/ca.crt
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [$CLUSTER_DNS]
tlsCertFile: $STATE/pki/kubelet-serving.crt
tlsPrivateKeyFile: $STATE/pki/kubelet-serving.key
staticPodPath: ""
serializeImagePulls: false
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
imageGCHighThresholdPercent: 100
EOF
  make_serving_cert kubelet-serving "$NODE_NAME" "DNS:$NODE_NAME,IP:$ip"

  cat >"$STATE/kube-proxy-config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
clusterCIDR: $NODE_POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $ip
metricsBindAddress: 127.0.0.1:${SONDE_KUBE_PROXY_METRICS_PORT:-10249}
healthzBindAddress: 127.0.0.1:${SONDE_KUBE_PROXY_HEALTHZ_PORT:-10256}
conntrack:
  # no sysctls from kube-proxy: the machine's conntrack settings stay as they are
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}

make_client_cert() { # name cn org
  local name="$1" cn="$2" org="$3" subj
  mkdir -p "$STATE/pki"
  [[ -s "$STATE/pki/$name.crt" ]] && return 0
  subj="/CN=$cn"
  [[ -n "$org" ]] && subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$STATE/pki/$name.key" -out "$STATE/pki/$name.csr" -subj "$subj" 2>/dev/null
  openssl x509 -req -in "$STATE/pki/$name.csr" -CA "$CLUSTER/pki/ca.crt" -CAkey "$CLUSTER/pki/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile <(echo "extendedKeyUsage=clientAuth") -out "$STATE/pki/$name.crt" 2>/dev/null
  rm -f "$STATE/pki/$name.csr"
}

make_serving_cert() { # name cn san
  local name="$1" cn="$2" san="$3"
  [[ -s "$STATE/pki/$name.crt" ]] && return 0
  openssl req -new -newkey rsa:2048 -nodes -keyout "$STATE/pki/$name.key" -out "$STATE/pki/$name.csr" -subj "/CN=$cn" 2>/dev/null
  openssl x509 -req -in "$STATE/pki/$name.csr" -CA "$CLUSTER/pki/ca.crt" -CAkey "$CLUSTER/pki/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile <(printf 'extendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san") \
    -out "$STATE/pki/$name.crt" 2>/dev/null
  rm -f "$STATE/pki/$name.csr"
}

write_node_kubeconfig() { # name
  local server
  server="$(awk '/server:/ {print $2; exit}' "$CLUSTER/admin.kubeconfig")"
  cat >"$STATE/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sonde-local
  cluster:
    server: $server
    certificate-authority: $CLUSTER/pki/ca.crt
users:
- name: $1
  user:
    client-certificate: $STATE/pki/$1.crt
    client-key: $STATE/pki/$1.key
contexts:
- name: sonde-local
  context:
    cluster: sonde-local
    user: $1
current-context: sonde-local
EOF
}

# --------------------------------------------------------------------------------------------- add-ons

coredns_manifest() {
  cat <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: coredns
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:coredns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:coredns
subjects:
- kind: ServiceAccount
  name: coredns
  namespace: kube-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        errors
        health 127.0.0.1:8080
        ready
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        cache 30
        reload
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector:
    matchLabels: {k8s-app: kube-dns}
  template:
    metadata:
      labels: {k8s-app: kube-dns}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      nodeSelector: {kubernetes.io/hostname: $NODE_NAME}
      tolerations: [{operator: Exists}]
      containers:
      - name: coredns
        image: localhost/coredns:local
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          readOnlyRootFilesystem: true
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
      volumes:
      - name: config
        configMap: {name: coredns}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  clusterIP: $CLUSTER_DNS
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
}

node_ready() {
  [[ "$(kubectl_ get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

coredns_ready() {
  [[ "$(kubectl_ -n kube-system get deploy coredns -o jsonpath='{.status.readyReplicas}' 2>/dev/null)" == 1 ]]
}

containerd_up() { ctr --address "$SOCK" version >/dev/null 2>&1; }

# ------------------------------------------------------------------------------------------------ commands

cmd_up() {
  (( EUID == 0 )) || die "a real node runs containers and configures networking: run as root"
  [[ -f "$CLUSTER/admin.kubeconfig" ]] || die "no control plane in $CLUSTER: run hack/cluster.sh up --real-node first"
  BIN="$(cat "$CLUSTER/bin-dir")"
  [[ -s "$CLUSTER/real-node" ]] \
    || die "the control plane in $CLUSTER advertises 127.0.0.1, so in-cluster clients can't reach it: restart it with hack/cluster.sh down && hack/cluster.sh up --real-node"
  local ip
  ip="$(cat "$CLUSTER/real-node")"
  install_node_packages
  local node_bin
  node_bin="$(ensure_node_tools)"

  if is_running containerd && is_running kubelet && is_running kube-proxy && node_ready; then
    log "reusing the running node $NODE_NAME"
  else
    stop_node_processes
    write_configs "$ip"
    # the bridge plugin turns IPv4 forwarding on: down puts back what it was
    [[ -s "$STATE/ip_forward.before" ]] || cat /proc/sys/net/ipv4/ip_forward >"$STATE/ip_forward.before"
    start containerd containerd --config "$STATE/containerd/config.toml"
    wait_for containerd 30 containerd_up
    build_node_images
    start kubelet "$node_bin/kubelet" --config "$STATE/kubelet-config.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
      --hostname-override "$NODE_NAME" --node-ip "$ip" --root-dir "$KUBELET_ROOT" --cert-dir "$STATE/pki" \
      --node-labels "sonde.dev/real-node=true,topology.kubernetes.io/zone=${SONDE_NODE_ZONE:-zone-a}" -v 1
    wait_for "node $NODE_NAME Ready" 120 node_ready
    start kube-proxy "$node_bin/kube-proxy" --config "$STATE/kube-proxy-config.yaml"
  fi
  coredns_manifest | kubectl_ apply --server-side --force-conflicts -f - >/dev/null
  wait_for "CoreDNS" 120 coredns_ready
  log "node $NODE_NAME Ready ($ip, pods $NODE_POD_CIDR, cluster DNS $CLUSTER_DNS)"
}

cmd_import() {
  (( $# )) || die "usage: hack/node.sh import TAR..."
  containerd_up || die "the node's containerd is not running: hack/node.sh up"
  import_images "$@"
}

cmd_image_label() { # ref key [value]
  (( $# == 2 || $# == 3 )) || die "usage: hack/node.sh image-label REF KEY [VALUE]"
  containerd_up || die "the node's containerd is not running: hack/node.sh up"
  if (( $# == 3 )); then
    ctr --address "$SOCK" -n k8s.io images label "$1" "$2=$3" >/dev/null
  else
    # `ctr images ls` prints the labels as key=value,key=value in its last column
    ctr --address "$SOCK" -n k8s.io images ls "name==$1" 2>/dev/null | awk -v k="$2" 'NR > 1 {
      n = split($NF, kv, ","); for (i = 1; i <= n; i++) if (index(kv[i], k "=") == 1) print substr(kv[i], length(k) + 2) }'
  fi
}

stop_node_processes() {
  local c pid
  for c in kube-proxy kubelet; do
    pid="$(pid_of "$c")"
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  sleep 1
  # containerd last, after its shims: a shim outliving containerd keeps mounts and netns alive
  if containerd_up; then
    local task
    for task in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
  fi
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $SOCK" 2>/dev/null || true
  for c in "${NODE_COMPONENTS[@]}"; do
    pid="$(pid_of "$c")"
    [[ -n "$pid" ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RUN/$c.pid"
  done
}

# Deletes every kubepods cgroup (deepest first) in every hierarchy: cgroupfs driver, hybrid host.
remove_cgroups() {
  local mount dir
  for mount in /sys/fs/cgroup/*/; do
    [[ -d "$mount/kubepods" ]] || continue
    while read -r dir; do
      rmdir "$dir" 2>/dev/null || true
    done < <(find "$mount/kubepods" -depth -type d 2>/dev/null)
  done
  if [[ -d /sys/fs/cgroup/unified/kubepods || -d /sys/fs/cgroup/memory/kubepods ]]; then
    log "WARNING: kubepods cgroups remain (a process still in them?)"
  fi
}

# Removes what kubelet and kube-proxy wrote to nftables: kube-proxy's own tables, and kubelet's KUBE-*
# chains in the iptables-nft tables (the tables themselves only when nothing else is left in them).
remove_nftables() {
  local family table chain handle
  for family in ip ip6; do
    nft delete table "$family" kube-proxy 2>/dev/null || true
    for table in filter nat mangle; do
      nft list table "$family" "$table" >/dev/null 2>&1 || continue
      for chain in INPUT OUTPUT FORWARD PREROUTING POSTROUTING; do
        for handle in $(nft -a list chain "$family" "$table" "$chain" 2>/dev/null | awk '/jump KUBE-/ {print $NF}' || true); do
          nft delete rule "$family" "$table" "$chain" handle "$handle" 2>/dev/null || true
        done
      done
      for chain in $(nft list table "$family" "$table" 2>/dev/null | awk '$1 == "chain" && $2 ~ /^KUBE-/ {print $2}' || true); do
        nft flush chain "$family" "$table" "$chain" 2>/dev/null || true
        nft delete chain "$family" "$table" "$chain" 2>/dev/null || true
      done
      # no rule left (only table and chain lines carry a handle then): kubelet made the table, delete it
      if ! nft -a list table "$family" "$table" 2>/dev/null | grep '# handle' | grep -qvE '^\s*(table|chain) '; then
        nft delete table "$family" "$table" 2>/dev/null || true
      fi
    done
  done
}

node_pods_left() {
  [[ -n "$(kubectl_ get pods -A --field-selector "spec.nodeName=$NODE_NAME" -o name 2>/dev/null)" ]]
}

cmd_down() {
  if [[ ! -d "$STATE" && ! -d "$RUNDIR" && ! -d "$KUBELET_ROOT" ]]; then
    log "no node in $STATE"
    return 0
  fi
  log "stopping node $NODE_NAME"
  if [[ -f "$CLUSTER/bin-dir" ]]; then
    BIN="$(cat "$CLUSTER/bin-dir")"
    # pods first, while kubelet can still tear their sandboxes down (CNI DEL releases IPs and veths)
    kubectl_ delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 30))
    while (( SECONDS < deadline )) && is_running kubelet && node_pods_left; do
      sleep 0.5
    done
    kubectl_ delete node "$NODE_NAME" --wait=false >/dev/null 2>&1 || true
  fi
  stop_node_processes
  # kubelet bind-mounts its root dir onto itself; pods leave volume mounts under it; sandboxes leave netns
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done \
    < <(awk -v a="$KUBELET_ROOT" -v b="$RUNDIR" -v c="$STATE" '$5 ~ "^(" a "|" b "|" c ")" {print $5}' /proc/self/mountinfo | sort -r)
  # (one that can't go — a mount hidden under a later bind mount of /run/netns — must not stop the rest of down)
  for m in /var/run/netns/cni-*; do
    [[ -e "$m" ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    rm -f "$m" 2>/dev/null || log "WARNING: cannot remove $m (a mount under it)"
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  remove_nftables
  remove_cgroups
  if [[ -s "$STATE/ip_forward.before" ]]; then
    cat "$STATE/ip_forward.before" >/proc/sys/net/ipv4/ip_forward
  fi
  rm -rf "$STATE" "$RUNDIR" "$KUBELET_ROOT" /var/lib/cni/networks/sonde /var/lib/cni/results/sonde-* 2>/dev/null || true
  log "node $NODE_NAME stopped"
}

cmd_status() {
  local c ok=0
  for c in "${NODE_COMPONENTS[@]}"; do
    if is_running "$c"; then printf '%-24s running (pid %s)\n' "$c" "$(pid_of "$c")"
    else printf '%-24s NOT running (log: %s)\n' "$c" "$LOGS/$c.log"; ok=1; fi
  done
  if [[ -f "$CLUSTER/bin-dir" ]]; then
    BIN="$(cat "$CLUSTER/bin-dir")"
    if node_ready; then echo "node $NODE_NAME Ready"; else echo "node $NODE_NAME NOT Ready"; ok=1; fi
    if coredns_ready; then echo "coredns ready"; else echo "coredns NOT ready"; ok=1; fi
  fi
  return "$ok"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    import) cmd_import "$@" ;;
    image-label) cmd_image_label "$@" ;;
    *) echo "usage: hack/node.sh up | down | status | import TAR... | image-label REF KEY [VALUE]" >&2; exit 2 ;;
  esac
}

main "$@"
