#!/usr/bin/env bash
# The operator scale benchmark (docs/benchmarks.md, "Operator at scale"): 500 NetworkMonitors in 50
# namespaces over 200 kwok nodes with synthetic AgentReports, against the operator jar running as its
# ServiceAccount. Prints Markdown tables; asserts nothing about time.
#
#   hack/bench-operator.sh                         run with the defaults below
#   BENCH_MONITORS=100 BENCH_NODES=50 hack/bench-operator.sh
#
# It uses its own control plane ($SONDE_CLUSTER_DIR, default /tmp/sonde-bench-cluster, on ports of its
# own) so the shared one in .local/cluster is not disturbed, and stops it at the end
# (BENCH_KEEP_CLUSTER=true keeps it for the next run). Settings, all optional:
#   BENCH_MONITORS=500 BENCH_NAMESPACES=50 BENCH_NODES=200 BENCH_PODS_PER_NODE=5
#   BENCH_REPORT_INTERVAL_SECONDS=30 BENCH_REPORT_ROUNDS=4 BENCH_REPORT_ALL_MONITORS=false
#   BENCH_OPERATOR_JVM_OPTS="${OPERATOR_JAVA_OPTS[*]}" (hack/lib/common.sh) BENCH_MAX_SECONDS=540
#   BENCH_SKIP_BUILD=false
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"
require_java

export SONDE_CLUSTER_DIR="${SONDE_CLUSTER_DIR:-/tmp/sonde-bench-cluster}"
export SONDE_APISERVER_PORT="${SONDE_APISERVER_PORT:-36443}"
export SONDE_ETCD_PORT="${SONDE_ETCD_PORT:-32379}"
export SONDE_ETCD_PEER_PORT="${SONDE_ETCD_PEER_PORT:-32380}"
export SONDE_KCM_PORT="${SONDE_KCM_PORT:-40257}"
export SONDE_SCHEDULER_PORT="${SONDE_SCHEDULER_PORT:-40259}"
export SONDE_KWOK_PORT="${SONDE_KWOK_PORT:-40247}"
export BENCH_NODES="${BENCH_NODES:-200}"
export BENCH_MAX_SECONDS="${BENCH_MAX_SECONDS:-540}"
# the operator runs with the image's JVM options and malloc arenas unless the caller says otherwise (the arenas
# setting reaches the benchmark's and Maven's JVMs too, whose memory is not measured)
export BENCH_OPERATOR_JVM_OPTS="${BENCH_OPERATOR_JVM_OPTS:-${OPERATOR_JAVA_OPTS[*]}}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-$OPERATOR_MALLOC_ARENA_MAX}"

[[ "$(realpath -m "$SONDE_CLUSTER_DIR")" != "$(realpath -m "$SONDE_ROOT/.local/cluster")" ]] \
  || die "the benchmark needs a control plane of its own: SONDE_CLUSTER_DIR must not be .local/cluster"
# a KUBECONFIG from the caller's shell would point the benchmark at another cluster
unset KUBECONFIG

cleanup() {
  if [[ "${BENCH_KEEP_CLUSTER:-}" != true ]]; then
    log "stopping the benchmark control plane in $SONDE_CLUSTER_DIR"
    hack/cluster.sh down || true
  fi
}
trap cleanup EXIT

log "control plane in $SONDE_CLUSTER_DIR (apiserver :$SONDE_APISERVER_PORT) with $BENCH_NODES kwok nodes"
hack/cluster.sh up --nodes "$BENCH_NODES"
eval "$(hack/cluster.sh env)"
export KUBECONFIG

kubectl apply --server-side --force-conflicts -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s -f crds/ >/dev/null
kubectl apply --server-side --force-conflicts -f config/rbac/ >/dev/null

if [[ "${BENCH_SKIP_BUILD:-}" != true ]]; then
  log "building the operator jar"
  flock /tmp/sonde-build.lock nice -n 5 ./mvnw -B -ntp -q -pl operator -am package -DskipTests -DskipITs
fi

log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
# -Pbench runs dev.sonde.operator.bench.OperatorScaleBenchmark at integration-test; the jar is not rebuilt.
# The benchmark bounds itself (BENCH_MAX_SECONDS); timeout is the backstop.
timeout --kill-after=30 "$(( BENCH_MAX_SECONDS + 120 ))" \
  ./mvnw -B -ntp -pl operator -am -Pbench -DskipTests -DskipITs -Dquarkus.build.skip=true verify
tables="${BENCH_OUTPUT:-target/bench/operator-scale.md}"
[[ "$tables" == /* ]] || tables="operator/$tables"
log "tables: $tables, operator log: operator/target/bench/operator.log"
