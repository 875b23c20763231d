#!/usr/bin/env bash
# The whole test suite, unit and integration, from a fresh Debian machine:
# installs the prerequisites, builds the pinned control plane (cached), starts it, runs
# `./mvnw verify` against it (real API server, real kernel), and stops what it started.
#
#   hack/test.sh                 everything
#   hack/test.sh -pl api -am     extra arguments go to Maven
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"

(( EUID == 0 )) || die "the suite loads eBPF programs and creates cgroups and network namespaces: run it as root"

install_prerequisites
require_java
log "JDK: $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"

log "shellcheck hack/"
shellcheck -x hack/*.sh hack/lib/*.sh .ci/run

trap stop_cluster_if_started EXIT
cluster_up --nodes "${SONDE_TEST_NODES:-3}"
eval "$(hack/cluster.sh env)"
SONDE_OTELCOL="$(ensure_otelcol)"
SONDE_PROMTOOL="$(ensure_promtool)"
SONDE_PROMETHEUS="$(ensure_prometheus)"
SONDE_PROMETHEUS_OPERATOR_CRDS="$(ensure_prometheus_operator_crds)"
SONDE_HELM="$(ensure_helm)"
export SONDE_OTELCOL SONDE_PROMTOOL SONDE_PROMETHEUS SONDE_PROMETHEUS_OPERATOR_CRDS SONDE_HELM

./mvnw -B -ntp verify "$@"
