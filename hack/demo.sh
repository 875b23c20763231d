#!/usr/bin/env bash
# The main job: a local Sonde playground on this machine.
#
#   hack/demo.sh        install prerequisites, build, start the local control plane
#                       (3 kwok nodes + this host), install the CRDs and RBAC
#   hack/demo.sh down   stop everything the demo started
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"

if [[ "${1:-}" == down ]]; then
  hack/cluster.sh down
  exit 0
fi

(( EUID == 0 )) || die "the demo loads eBPF programs and creates cgroups: run it as root"
install_prerequisites
require_java

hack/cluster.sh up --nodes "${SONDE_DEMO_NODES:-3}"
eval "$(hack/cluster.sh env)"

if compgen -G "crds/*.yaml" >/dev/null; then
  log "installing CRDs"
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
fi
if [[ -d config/rbac ]]; then
  log "installing RBAC"
  kubectl apply --server-side -f config/rbac/ >/dev/null
fi

kubectl get nodes
cat <<EOF

Sonde's local control plane is up. Try:
  eval "\$(hack/cluster.sh env)"     # point kubectl at it
  kubectl get nodes                   # 3 kwok nodes and this host ($SONDE_HOST_NODE)
  kubectl api-resources --api-group=sonde.dev
  hack/demo.sh down                   # stop everything
EOF
