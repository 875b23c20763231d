#!/usr/bin/env bash
# Regenerates the OLM bundle in bundle/ from the operator build: Quarkus Operator SDK's bundle generator writes
# operator/target/bundle/sonde/ (CSV, metadata, bundle.Dockerfile); bundle/ takes those, the CRDs of crds/ (the
# one source of CRD schemas, see hack/update-crds.sh), and lists every CRD as owned in the CSV (the generator
# lists only the reconciled ones, not AgentReport).
# The build fails while bundle/ differs (BundleUpToDateTest in config-tests:
# "bundle/ is stale: run hack/update-bundle.sh"); this script is the fix.
#
#   hack/update-bundle.sh
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SONDE_ROOT"
require_java

./mvnw -B -q -ntp -pl operator -am package -DskipTests
# The staleness test writes bundle/ instead of comparing when sonde.updateBundle is set.
./mvnw -B -q -ntp -pl config-tests -am test -Dsonde.updateBundle=true \
    -Dtest="BundleUpToDateTest#bundleIsWhatTheBuildGeneratesWithTheCrds" -Dsurefire.failIfNoSpecifiedTests=false

git -c color.ui=never status --short -- bundle/ >&2 || true
log "bundle/ regenerated from operator/target/bundle/sonde and crds/"
