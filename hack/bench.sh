#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, run on this machine. Each figure is measured against a
# baseline in the same run; nothing asserts on time.
#
#   hack/bench.sh           the data-plane benchmark (node-agent DataPlaneBenchmark, ~10 minutes): its
#                           tables and the machine's description replace the generated part of the
#                           section "Data plane overhead" in docs/benchmarks.md
#   hack/bench.sh --agent   only the agent budget benchmark (node-agent AgentBudgetBenchmark, ~11 minutes,
#                           ~16 with a candidate, on the local control plane): 100 selected pods, each to
#                           50 peers, 1,000 connections/s, then connection churn from one pod; flows off
#                           and on, the agent's JVM options against the JVM defaults; then the flows
#                           identity data per 1,000 cluster pods (KWOK pods); tables in node-agent/target/bench/
#   hack/bench.sh --all     the data-plane, kernel probe, agent budget and operator (hack/bench-operator.sh)
#                           benchmarks; the last three print their tables and leave them in target/ for
#                           their hand-annotated sections
#
# Settings, all optional: BENCH_PAIRS=7 BENCH_SECONDS=5 (pairs of runs, seconds per run),
# BENCH_DOC=docs/benchmarks.md, BENCH_AGENT_CANDIDATE_OPTS and BENCH_AGENT_CANDIDATE_JAR (--agent: JVM options,
# and an agent jar of another build with its lib/ next to it, to measure side by side with the agent's, flows off
# and on). The whole run holds the build lock (/tmp/sonde-build.lock), so no build competes for the CPUs; started
# as `flock /tmp/sonde-build.lock hack/bench.sh` it uses the lock it inherits.
# The agent budget benchmark reuses a running local control plane and leaves it running; one it starts
# itself it stops at the end (SONDE_KEEP_CLUSTER=true keeps it), so a later hack/demo.sh finds its ports free.
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"

BUILD_LOCK=/tmp/sonde-build.lock
BENCH_PAIRS="${BENCH_PAIRS:-7}"
BENCH_SECONDS="${BENCH_SECONDS:-5}"
BENCH_DOC="${BENCH_DOC:-docs/benchmarks.md}"
BEGIN_MARK='<!-- hack/bench.sh data-plane: generated from here -->'
END_MARK='<!-- hack/bench.sh data-plane: generated up to here -->'

usage() { die "usage: hack/bench.sh [--agent | --all]"; }

mode=data-plane
case "${1:-}" in
  --all) mode=all ;;
  --agent) mode=agent ;;
  "") ;;
  *) usage ;;
esac

(( EUID == 0 )) || die "the benchmark loads eBPF programs and creates cgroups and network namespaces: run it as root"

# The lock flock(1) holds for our caller is on an inherited descriptor: locking that one again succeeds.
# BUILD_LOCK_FD names the descriptor, so that long-lived children (the local control plane) can be
# started without it: whoever holds an inherited copy holds the lock.
BUILD_LOCK_FD=
hold_build_lock() {
  local fd
  for fd in "/proc/$$/fd/"*; do
    if [[ "$(readlink "$fd")" == "$BUILD_LOCK" ]] && flock -n "${fd##*/}"; then
      BUILD_LOCK_FD="${fd##*/}"
      return 0
    fi
  done
  exec {BUILD_LOCK_FD}>>"$BUILD_LOCK"
  log "waiting for the build lock $BUILD_LOCK"
  flock "$BUILD_LOCK_FD"
}

# "steal total" jiffies of all CPUs from /proc/stat (steal: time a hypervisor gave to other guests).
cpu_ticks() {
  awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat
}

# $1: load average before the run, $2: cpu_ticks before the run
machine() {
  local cpu steal
  cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  steal="$(printf '%s %s\n' "$2" "$(cpu_ticks)" | awk '{printf "%.1f", 100 * ($3 - $1) / ($4 - $2)}')"
  printf 'Run %s on kernel %s, %s, %s cores, %s GiB; %s. Load average before the run %s, after %s; CPU steal during the run %s %%.\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(uname -r)" "${cpu:-unknown CPU}" "$(nproc)" \
    "$(awk '/^MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
    "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" "$1" "$(cut -d' ' -f1-3 /proc/loadavg)" "$steal"
}

# Replaces what sits between the markers in the doc with the file $1, or adds the section (before
# "## Operator at scale", else at the end) with a description of the method when it is not there yet.
write_section() {
  local generated="$1" tmp
  tmp="$(mktemp)"
  if grep -qF "$BEGIN_MARK" "$BENCH_DOC"; then
    awk -v begin="$BEGIN_MARK" -v end="$END_MARK" -v file="$generated" '
      $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
      $0 == end { skip = 0 }
      !skip' "$BENCH_DOC" >"$tmp"
  else
    section_intro >"$tmp.section"
    { echo "$BEGIN_MARK"; cat "$generated"; echo "$END_MARK"; echo; } >>"$tmp.section"
    awk -v file="$tmp.section" '
      /^## Operator at scale/ && !done { while ((getline line < file) > 0) print line; done = 1 }
      { print }
      END { if (!done) { print ""; while ((getline line < file) > 0) print line } }' "$BENCH_DOC" >"$tmp"
    rm -f "$tmp.section"
  fi
  cat "$tmp" >"$BENCH_DOC"
  rm -f "$tmp"
}

section_intro() {
  cat <<'EOF'
## Data plane overhead

Produced by `dev.sonde.agent.probe.DataPlaneBenchmark` (node-agent test sources); `hack/bench.sh` runs it
and rewrites the generated part of this section. Run as root, alone on the machine:

```
hack/bench.sh                       # BENCH_PAIRS=7 BENCH_SECONDS=5
```

What it does:

1. **Loads** across a veth pair between two network namespaces, client and server in one cgroup:
   bulk TCP (`iperf3 -t 5`, one stream); request/response on one persistent connection, 64 bytes each
   way, back to back (`rrload.py rr`, like netperf TCP_RR: rate and p99 latency); connection churn, a new
   connection per 64-byte request/response, the client closing first (`rrload.py churn`).
2. **Four configurations**, alternated: *no agent* (programs loaded, nothing attached); *selected*
   (every probe attached, the load's cgroup selected, `readCounters()` every second as the agent does);
   *selected + flows* (the same, the cgroup's flows counted too, `readFlows()` every second);
   *unselected* (every probe attached, the load in a cgroup nobody selected: what every other pod on the
   node pays).
   Each pair runs every load once in each configuration, the order rotating from pair to pair; each
   figure is the ratio to *no agent* within the pair, reported as median and min–max over the pairs.
3. **Per-event cost**: one more run per load and configuration while `BPF_ENABLE_STATS` is held
   (not during the overhead runs: the stats accounting itself costs time), `run_time_ns / run_cnt` per
   program.
4. **Accuracy**: in those selected runs, plus a bulk run with 1 % of the packets to the server dropped
   (nftables `numgen random`) and a churn run that closes each connection with an RST (`SO_LINGER` 0),
   the selected cgroup's counters against the kernel's own `/proc/net/snmp` counters of the two
   namespaces and the tools' byte counts.

EOF
}

bench_data_plane() {
  local out="$SONDE_ROOT/node-agent/target/bench/data-plane.md" load_before ticks_before generated
  rm -f "$out"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  ticks_before="$(cpu_ticks)"
  log "data-plane benchmark: $BENCH_PAIRS pairs of ${BENCH_SECONDS} s runs (load average $load_before)"
  ./mvnw -B -ntp -pl node-agent -am -Pbench -DskipTests -DskipITs -Dbench.skipKernelProbes=true \
    -Dbench.pairs="$BENCH_PAIRS" -Dbench.seconds="$BENCH_SECONDS" -Dbench.output="$out" verify
  [[ -s "$out" ]] || die "the benchmark wrote no tables to $out"
  generated="$(mktemp)"
  { echo; echo "### Results"; echo; machine "$load_before" "$ticks_before"; echo; cat "$out"; } >"$generated"
  write_section "$generated"
  rm -f "$generated"
  log "wrote the data-plane section of $BENCH_DOC"
}

bench_kernel_probes() {
  log "kernel probe benchmark (tables in node-agent/target/bench/kernel-probes.md; the doc's section is annotated by hand)"
  mkdir -p node-agent/target/bench
  ./mvnw -B -ntp -pl node-agent -am -Pbench -DskipTests -DskipITs -Dbench.skipDataPlane=true verify \
    | tee node-agent/target/bench/kernel-probes.md
}

bench_agent_budget() {
  local out="$SONDE_ROOT/node-agent/target/bench/agent-budget.md" classpath
  log "agent budget benchmark (tables in $out)"
  # a control plane that was running is reused and outlives this script: it must not inherit the build lock
  cluster_up --nodes 10 {BUILD_LOCK_FD}>&-
  eval "$(hack/cluster.sh env)"
  kubectl apply --server-side -f crds/ >/dev/null
  SONDE_OTELCOL="$(ensure_otelcol)"
  export SONDE_OTELCOL
  ./mvnw -B -ntp -q -pl node-agent -am install -DskipTests -DskipITs
  ./mvnw -B -ntp -q -pl node-agent dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$SONDE_ROOT/node-agent/target/bench/test-classpath.txt"
  classpath="$SONDE_ROOT/node-agent/target/test-classes:$SONDE_ROOT/node-agent/target/classes"
  classpath+=":$(cat "$SONDE_ROOT/node-agent/target/bench/test-classpath.txt")"
  # from node-agent/: the benchmark runs target/sonde-node-agent.jar and logs to target/bench/
  (cd node-agent && "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -Dbench.agentJvmOptions="${AGENT_JAVA_OPTS[*]}" -Dbench.candidateJvmOptions="${BENCH_AGENT_CANDIDATE_OPTS:-}" \
    -Dbench.candidateJar="${BENCH_AGENT_CANDIDATE_JAR:-}" \
    -Dbench.output="$out" \
    -cp "$classpath" dev.sonde.agent.node.AgentBudgetBenchmark)
  log "flows identity data per 1,000 cluster pods (tables in ${out%/*}/peer-directory.md)"
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Dbench.output="${out%/*}/peer-directory.md" \
    -cp "$classpath" dev.sonde.agent.flows.PeerDirectoryBenchmark
}

bench_operator() {
  # bench-operator.sh would take the build lock for its build, which this run already holds: build here
  log "operator scale benchmark (tables in operator/target/bench/operator-scale.md)"
  ./mvnw -B -ntp -q -pl operator -am package -DskipTests -DskipITs
  # this run keeps holding the lock; its control plane (kept with BENCH_KEEP_CLUSTER=true) must not
  BENCH_SKIP_BUILD=true hack/bench-operator.sh {BUILD_LOCK_FD}>&-
}

install_prerequisites
require_java
hold_build_lock
# the agent budget benchmark needs the local control plane: stop it again if this run started it
trap stop_cluster_if_started EXIT
case "$mode" in
  data-plane) bench_data_plane ;;
  agent) bench_agent_budget ;;
  all)
    bench_data_plane
    bench_kernel_probes
    bench_agent_budget
    bench_operator
    ;;
esac
