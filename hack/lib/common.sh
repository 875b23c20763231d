# shellcheck shell=bash
# Shared helpers for hack/*.sh: locating the repo, a JDK >= 22, and the pinned control-plane tools.

SONDE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SONDE_ROOT

log() { printf '[sonde %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[sonde] ERROR: %s\n' "$*" >&2; exit 1; }

# The node agent's JVM options wherever it runs (demo, benchmarks, Dockerfile.agent sets the same):
# a small fixed heap and the serial collector keep its RSS within the 150 MiB budget; MetaspaceSize above
# the ~33 MiB of class metadata it loads spares it the startup full GC that grew the heap to its maximum
# (docs/benchmarks.md "Agent memory").
# shellcheck disable=SC2034 # used by the scripts that source this file
AGENT_JAVA_OPTS=(-XX:+UseSerialGC -Xms16m -Xmx64m -XX:MetaspaceSize=48m -XX:MaxMetaspaceSize=64m -Xss512k
  -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=30000)

# The operator's JVM options wherever the shipped jar runs (scale benchmark; Dockerfile.operator sets the same, and
# JAVA_OPTS_APPEND after them overrides): the serial collector, a heap sized to the pruned informer caches (112 MiB,
# 2.2 times the live heap at 1,000 nodes) with a small young generation, C1 only and glibc limited to two malloc
# arenas (OPERATOR_MALLOC_ARENA_MAX, an environment variable) keep its RSS below 256 MiB at 500 monitors
# (docs/benchmarks.md "Operator at scale", docs/operator.md).
# shellcheck disable=SC2034 # used by the scripts that source this file
OPERATOR_JAVA_OPTS=(-XX:+UseSerialGC -Xms32m -Xmx112m -Xmn24m -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40
  -XX:MaxMetaspaceSize=128m -Xss512k -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=30000
  -XX:+ExitOnOutOfMemoryError)
# shellcheck disable=SC2034
OPERATOR_MALLOC_ARENA_MAX=2

# Prints a JAVA_HOME with a JDK >= 22 (FFM is final from 22): $JAVA_HOME if it qualifies, else /usr/lib/jvm/*25*.
find_java_home() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*2[2-9]*; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    version="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
    if [[ "${version%%.*}" =~ ^[0-9]+$ ]] && (( ${version%%.*} >= 22 )); then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

require_java() {
  local home
  home="$(find_java_home)" || die "no JDK >= 22 found: set JAVA_HOME to a JDK 22+ (JDK 25 expected under /usr/lib/jvm); the default java $(java -version 2>&1 | head -1) is too old for the FFM API"
  export JAVA_HOME="$home"
  export PATH="$JAVA_HOME/bin:$PATH"
}

# The tool cache is keyed by the pins (go.mod + go.sum) and the Go version, so it is rebuilt only when they change.
tools_dir() {
  local key
  key="$(cat "$SONDE_ROOT/hack/tools/go.mod" "$SONDE_ROOT/hack/tools/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  local k8s
  k8s="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$SONDE_ROOT/hack/tools/go.mod")"
  echo "${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/k8s-${k8s}-${key}"
}

TOOL_BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

# Builds the pinned control-plane binaries into the cache unless they are already there; prints the bin dir.
ensure_tools() {
  command -v go >/dev/null || die "go is not installed (needed to build the control plane from the Go module proxy)"
  local dir bin missing=()
  dir="$(tools_dir)"
  for bin in "${TOOL_BINARIES[@]}"; do
    [[ -x "$dir/bin/$bin" ]] || missing+=("$bin")
  done
  if (( ${#missing[@]} > 0 )); then
    log "building ${missing[*]} into $dir/bin (first run only; takes a while on 2 cores)"
    mkdir -p "$dir/bin.partial"
    local pkg
    for bin in "${missing[@]}"; do
      case "$bin" in
        kwok) pkg=sigs.k8s.io/kwok/cmd/kwok ;;
        etcd) pkg=go.etcd.io/etcd/server/v3 ;;
        *) pkg="k8s.io/kubernetes/cmd/$bin" ;;
      esac
      log "  go build $pkg"
      (cd "$SONDE_ROOT/hack/tools" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dir/bin.partial/$bin" "$pkg") \
        || die "building $bin failed"
      mkdir -p "$dir/bin"
      mv "$dir/bin.partial/$bin" "$dir/bin/$bin"
    done
    rmdir "$dir/bin.partial" 2>/dev/null || true
  fi
  [[ -s "$dir/kwok-stages.yaml" ]] || write_kwok_stages "$dir/kwok-stages.yaml"
  echo "$dir/bin"
}

# Builds the test OpenTelemetry Collector (hack/tools/otelcol) into the cache unless it is already there,
# keyed like tools_dir by its sources and the Go version; prints the binary's path (tests read it from SONDE_OTELCOL).
ensure_otelcol() {
  ensure_go
  local src="$SONDE_ROOT/hack/tools/otelcol" version key bin
  version="$(awk '$1 == "go.opentelemetry.io/collector/otelcol" {print $2; exit}' "$src/go.mod")"
  key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  bin="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/otelcol-${version}-${key}/otelcol"
  if [[ ! -x "$bin" ]]; then
    log "building the OpenTelemetry Collector $version into $bin (first run only; about 2 minutes on 2 cores)"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin.partial" .) \
      || die "building the OpenTelemetry Collector failed"
    mv "$bin.partial" "$bin"
  fi
  echo "$bin"
}

# Long-running components of hack/cluster.sh and hack/node.sh, for scripts that set STATE (their state
# directory), LOGS and RUN: one log and one pid file per component.
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }

# A pid file only counts if the process is alive and still runs out of this state dir.
is_running() {
  local pid
  pid="$(pid_of "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$STATE"
}

start() { # name args...
  local name="$1"; shift
  log "starting $name (log: $LOGS/$name.log)"
  # setsid: the component outlives the shell that started it and can be killed as a group.
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

wait_for() { # description timeout-seconds command...
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    (( SECONDS < deadline )) || die "$what not ready after ${timeout}s; see logs in $LOGS"
    sleep 0.5
  done
}

# The machine's own non-loopback address (of the default route's interface, else the first global one that is
# not ours): kubelet refuses a loopback node IP, and in-cluster clients reach the API server through it.
node_ip() {
  local dev
  dev="$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
  if [[ -n "$dev" ]]; then
    ip -4 -o addr show dev "$dev" scope global | awk '{split($4, a, "/"); print a[1]; exit}'
  else
    ip -4 -o addr show scope global | awk -v br=sonde0 '$2 != br && $2 !~ /^(veth|cni)/ {split($4, a, "/"); print a[1]; exit}'
  fi
}

# The real node's binaries (kubelet, kube-proxy), from the same pins as the control plane, with the version
# ldflags without which the node reports v0.0.0-master; built into the tools cache on first use; prints the bin dir.
NODE_BINARIES=(kubelet kube-proxy)

ensure_node_tools() {
  local dir bin k8s minor
  dir="$(tools_dir)"
  k8s="$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$SONDE_ROOT/hack/tools/go.mod")"
  minor="$(echo "$k8s" | cut -d. -f2)"
  for bin in "${NODE_BINARIES[@]}"; do
    [[ -x "$dir/bin/$bin" ]] && continue
    log "building $bin $k8s into $dir/bin (first run only; about 3 minutes each on 2 cores with a cold Go cache)"
    mkdir -p "$dir/bin.partial" "$dir/bin"
    (cd "$SONDE_ROOT/hack/tools" && CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
      -o "$dir/bin.partial/$bin" "k8s.io/kubernetes/cmd/$bin") || die "building $bin failed"
    mv "$dir/bin.partial/$bin" "$dir/bin/$bin"
  done
  rmdir "$dir/bin.partial" 2>/dev/null || true
  echo "$dir/bin"
}

# CoreDNS (hack/tools/coredns), the real node's cluster DNS, cached like the Collector; prints the binary's path.
ensure_coredns() {
  ensure_go
  local src="$SONDE_ROOT/hack/tools/coredns" version key bin
  version="$(awk '$1 == "github.com/coredns/coredns" {print $2; exit}' "$src/go.mod")"
  key="$(cat "$src/go.mod" "$src/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  bin="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/coredns-${version}-${key}/coredns"
  if [[ ! -x "$bin" ]]; then
    log "building CoreDNS $version into $bin (first run only; about 2 minutes on 2 cores)"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin.partial" github.com/coredns/coredns) \
      || die "building CoreDNS failed"
    mv "$bin.partial" "$bin"
  fi
  echo "$bin"
}

# Builds promtool (hack/tools/promtool) into the cache unless it is already there, keyed like ensure_otelcol by its
# pins and the Go version; prints the binary's path (tests read it from SONDE_PROMTOOL for `promtool check metrics`).
ensure_promtool() {
  local src="$SONDE_ROOT/hack/tools/promtool" version key bin
  ensure_go "$src/go.mod"
  version="$(awk '$1 == "github.com/prometheus/prometheus" {print $2; exit}' "$src/go.mod")"
  key="$(cat "$src/go.mod" "$src/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  bin="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/promtool-${version}-${key}/promtool"
  if [[ ! -x "$bin" ]]; then
    log "building promtool (prometheus $version) into $bin (first run only; up to 11 minutes on 2 cores)"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin.partial" github.com/prometheus/prometheus/cmd/promtool) \
      || die "building promtool failed"
    mv "$bin.partial" "$bin"
  fi
  echo "$bin"
}

# Builds Prometheus itself from the same pinned module as promtool (hack/tools/promtool), cached the same way;
# prints the binary's path. The demo and the end-to-end tests run it as a host process (hack/demo.sh). Built
# without the web UI's assets (the `builtinassets` tag needs the npm-built UI): the HTTP API and /metrics are there.
ensure_prometheus() {
  local src="$SONDE_ROOT/hack/tools/promtool" version release key bin
  ensure_go "$src/go.mod"
  version="$(awk '$1 == "github.com/prometheus/prometheus" {print $2; exit}' "$src/go.mod")"
  key="$(cat "$src/go.mod" "$src/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  bin="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/prometheus-${version}-${key}/prometheus"
  if [[ ! -x "$bin" ]]; then
    log "building Prometheus $version into $bin (first run only; about as long as promtool on 2 cores)"
    mkdir -p "$(dirname "$bin")"
    # its Go module versions are v0.3MM.P for Prometheus 3.MM.P: the version it reports in its build info
    release="$(sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/' <<<"$version")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/prometheus/common/version.Version=$release" \
      -o "$bin.partial" github.com/prometheus/prometheus/cmd/prometheus) \
      || die "building Prometheus failed"
    mv "$bin.partial" "$bin"
  fi
  echo "$bin"
}

# Writes to file $1 a token of the ServiceAccount monitoring/prometheus, bound to the ClusterRole sonde-metrics-reader
# (config/rbac): what a Prometheus needs to scrape the agents' and the operator's /metrics, which answer only a bearer
# token allowed get on /metrics. Uses the kubectl and KUBECONFIG in the environment; the token lasts $2 (default 24h).
write_metrics_scrape_token() {
  local file="$1" duration="${2:-24h}"
  kubectl create namespace monitoring --dry-run=client -o yaml | kubectl apply --server-side -f - >/dev/null
  kubectl create serviceaccount prometheus -n monitoring --dry-run=client -o yaml \
    | kubectl apply --server-side -f - >/dev/null
  kubectl create clusterrolebinding prometheus-sonde-metrics --clusterrole=sonde-metrics-reader \
    --serviceaccount=monitoring:prometheus --dry-run=client -o yaml | kubectl apply --server-side -f - >/dev/null
  kubectl create token prometheus -n monitoring --duration="$duration" >"$file.partial"
  mv "$file.partial" "$file"
}

# The Prometheus Operator's CRDs (PodMonitor, ServiceMonitor, PrometheusRule, ...) from its module, pinned in
# hack/tools/prometheus-operator; downloaded once into the Go module cache. Prints the directory of the CRD YAML.
ensure_prometheus_operator_crds() {
  local src="$SONDE_ROOT/hack/tools/prometheus-operator" dir
  ensure_go "$src/go.mod"
  dir="$(cd "$src" && go mod download -json github.com/prometheus-operator/prometheus-operator | jq -r .Dir)" \
    || die "cannot download the Prometheus Operator module (go mod download in hack/tools/prometheus-operator)"
  [[ -f "$dir/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml" ]] \
    || die "no CRDs under $dir/example/prometheus-operator-crd"
  echo "$dir/example/prometheus-operator-crd"
}

# Builds Helm (hack/tools/helm) into the cache unless it is already there, keyed by its pins and the Go version;
# prints the binary's path (tests read it from SONDE_HELM for helm lint / template / install of charts/sonde).
ensure_helm() {
  local src="$SONDE_ROOT/hack/tools/helm" version key bin
  ensure_go "$src/go.mod"
  version="$(awk '$1 == "helm.sh/helm/v3" {print $2; exit}' "$src/go.mod")"
  key="$(cat "$src/go.mod" "$src/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)"
  bin="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/helm-${version}-${key}/helm"
  if [[ ! -x "$bin" ]]; then
    log "building Helm $version into $bin (first run only; a few minutes on 2 cores)"
    mkdir -p "$(dirname "$bin")"
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
      -o "$bin.partial" helm.sh/helm/v3/cmd/helm) || die "building Helm failed"
    mv "$bin.partial" "$bin"
  fi
  echo "$bin"
}

# kwok needs stages (how fake nodes and pods move through their lifecycle). Use the "fast" set that
# ships in the pinned kwok module: nodes Ready at once with a Lease heartbeat, pods Running at once.
write_kwok_stages() {
  local out="$1" kwok_dir f
  kwok_dir="$(cd "$SONDE_ROOT/hack/tools" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)" \
    || die "cannot locate the kwok module (go mod download in hack/tools)"
  for f in "$kwok_dir"/kustomize/stage/node/fast/node-*.yaml \
    "$kwok_dir"/kustomize/stage/node/heartbeat-with-lease/node-*.yaml \
    "$kwok_dir"/kustomize/stage/pod/fast/pod-*.yaml; do
    [[ -f "$f" ]] || die "kwok stage file missing: $f"
    echo "---"
    cat "$f"
  done >"$out.partial"
  mv "$out.partial" "$out"
}

# Debian packages the build, the tests and the demo need. Installed only when missing.
APT_PACKAGES=(ca-certificates curl git openssl jq iproute2 nftables procps psmisc python3 lua5.4
  clang llvm libbpf-dev bpftool make dnsmasq-base iperf3 python3-prometheus-client shellcheck)

install_prerequisites() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if (( ${#missing[@]} > 0 )); then
    (( EUID == 0 )) || die "missing Debian packages ${missing[*]} and not root: sudo apt-get install ${missing[*]}"
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  ensure_go
}

# The control plane is built with the Go toolchain that hack/tools/go.mod asks for (or the go.mod given as
# $1, e.g. a tool's own module). If the machine's go is missing or older, the toolchain is fetched as a module
# from the Go module proxy.
ensure_go() {
  local want have
  want="$(awk '$1 == "go" {print $2; exit}' "${1:-$SONDE_ROOT/hack/tools/go.mod}")"
  if command -v go >/dev/null; then
    have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
    if [[ -n "$have" ]] && printf '%s\n%s\n' "$want" "$have" | sort -V -C; then
      return 0
    fi
  fi
  local version="1.26.8" # a release >= the go directives of hack/tools/go.mod and hack/tools/*/go.mod
  local dir="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/go-$version"
  if [[ ! -x "$dir/bin/go" ]]; then
    local proxy="${GOPROXY:-https://proxy.golang.org}"
    proxy="${proxy%%,*}"
    log "fetching the Go $version toolchain module from $proxy"
    mkdir -p "$dir.partial"
    curl -fsSL "$proxy/golang.org/toolchain/@v/v0.0.1-go$version.linux-amd64.zip" -o "$dir.partial/toolchain.zip" \
      || die "cannot download the Go toolchain from the module proxy"
    (cd "$dir.partial" && python3 -m zipfile -e toolchain.zip . && rm toolchain.zip)
    rm -rf "$dir"
    mv "$dir.partial/golang.org/toolchain@v0.0.1-go$version.linux-amd64" "$dir"
    rm -rf "$dir.partial"
    chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/* 2>/dev/null || true
  fi
  export PATH="$dir/bin:$PATH"
  export GOTOOLCHAIN=local
}

# The local control plane for one script run: cluster_up starts it unless one is already running (that
# one is reused and left running), stop_cluster_if_started stops it again if this run started it
# (SONDE_KEEP_CLUSTER=true keeps it). A script calls `trap stop_cluster_if_started EXIT` before
# cluster_up, so a failed or interrupted run stops the control plane too.
SONDE_STARTED_CLUSTER=false

cluster_up() { # [hack/cluster.sh up options]
  if "$SONDE_ROOT/hack/cluster.sh" status >/dev/null 2>&1; then
    log "reusing the running control plane; it stays running"
    return 0
  fi
  SONDE_STARTED_CLUSTER=true # before up: a half-started control plane is stopped as well
  "$SONDE_ROOT/hack/cluster.sh" up "$@"
}

stop_cluster_if_started() {
  if [[ "$SONDE_STARTED_CLUSTER" == true && "${SONDE_KEEP_CLUSTER:-}" != true ]]; then
    log "stopping the control plane this run started (SONDE_KEEP_CLUSTER=true keeps it)"
    "$SONDE_ROOT/hack/cluster.sh" down || true
  fi
}
