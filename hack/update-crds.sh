#!/usr/bin/env bash
# Regenerates crds/*.yaml from the API classes in api/ (dev.sonde.api.v1alpha1).
# The api build fails while crds/ differs from what the classes generate
# (CrdsUpToDateTest: "CRDs in crds/ are stale: run hack/update-crds.sh"); this script is the fix.
#
#   hack/update-crds.sh
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"
require_java

# The staleness test writes crds/ instead of comparing when sonde.updateCrds is set.
# -f api/pom.xml builds api alone, so a half-edited sibling module can't block it.
./mvnw -B -q -f api/pom.xml test -Dtest=CrdsUpToDateTest -Dsurefire.failIfNoSpecifiedTests=false -Dsonde.updateCrds=true

git -c color.ui=never status --short -- crds/ >&2 || true
log "crds/ regenerated: $(cd crds && echo *.yaml)"
