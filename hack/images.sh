#!/usr/bin/env bash
# The sonde-operator and sonde-agent images, built from Dockerfile.operator and Dockerfile.agent — the recipe
# users build with — on this machine, which has no container registry: the base images are build arguments,
# and the jars are the ones the host's Maven build already made (operator/target/quarkus-app/,
# node-agent/target/), so nothing is downloaded and Maven does not run in the image.
#
#   hack/images.sh [build]   build both images (skipped when their inputs are unchanged) and import them into
#                            the real node's containerd (hack/node.sh) when one runs for $SONDE_CLUSTER_DIR
#   hack/images.sh refs      print the image references, one a line: operator, agent, demo workload
#
# Needs: ./mvnw -pl operator,node-agent -am package (the jars), a JDK 25 (jlink), root (mmdebstrap, dockerd).
# Builds:
#   - a Debian base: mmdebstrap (minbase + libbpf1) from this machine's Debian apt sources;
#   - two runtime bases: that base plus a JRE jlink'ed from the machine's JDK with only the modules the
#     operator or the agent needs, at /opt/java/openjdk as in the eclipse-temurin images;
#   - the images: `docker build` of the project's Dockerfiles with RUNTIME_IMAGE=<runtime base> and
#     JARS=<an image holding the jars under /src>, with Debian's docker.io daemon, started for the build with
#     its own data root, sockets and no networking of its own, and stopped afterwards (no process or mount left).
# Caching: every input (Dockerfile, jars, base recipe, JDK) goes into a key; an image whose key is unchanged is
# not rebuilt, and is not imported again when the node already holds it. State: $SONDE_CACHE/images.
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

VERSION="$(awk -F'[<>]' '/<version>/ {print $3; exit}' "$SONDE_ROOT/pom.xml")"
TAG="${SONDE_IMAGE_TAG:-${VERSION%-SNAPSHOT}-local}"
OPERATOR_REF="localhost/sonde-operator:$TAG"
AGENT_REF="localhost/sonde-agent:$TAG"
DEMO_REF="localhost/sonde-demo:$TAG"
CACHE="${SONDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sonde}/images"
DOCKER_ROOT="$CACHE/docker"
# Short, fixed runtime paths (a unix socket path is limited to 108 bytes), apart from any docker the machine runs.
RUNDIR="/run/sonde-images"
DOCKER_SOCK="$RUNDIR/docker.sock"
DOCKER=(/usr/bin/docker --host "unix://$DOCKER_SOCK")

# The JDK modules each image's JRE keeps: jdeps --print-module-deps of the jars, then checked by running
# (-Xlog:class+load on the full JDK shows which modules a run loads from). The agent: fabric8 (java.net.http,
# java.sql), OpenTelemetry and OkHttp (java.logging, jdk.unsupported), the metrics endpoint (jdk.httpserver),
# JVM metrics (java.management). The operator: Quarkus's runner reads its jars through jdk.zipfs (without it
# `java -jar quarkus-run.jar` exits 1 without a word), Vert.x/Netty (jdk.net, jdk.unsupported), Micrometer
# (java.management, jdk.management), java.naming, java.xml, and its metrics listener (jdk.httpserver, from
# secure-metrics). Neither needs java.desktop, which jdeps lists for fabric8's java.beans references (35 MB).
AGENT_MODULES="java.base,java.logging,java.management,java.net.http,java.sql,jdk.httpserver,jdk.unsupported"
OPERATOR_MODULES="java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.httpserver,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs"
BASE_PACKAGES="libbpf1"
DEMO_BASE_PACKAGES="python3" # the demo workload (hack/demo/workload.py) is a Python script
BASE_SUITE="bookworm"

key_of() { sha256sum | cut -c1-16; }

# ------------------------------------------------------------------------------------------------ docker

docker_up() { "${DOCKER[@]}" version >/dev/null 2>&1; }

start_docker() {
  docker_up && return 0
  [[ -x /usr/sbin/dockerd && -x /usr/bin/docker ]] || install_docker
  mkdir -p "$RUNDIR" "$DOCKER_ROOT"
  log "starting dockerd for the build (data root $DOCKER_ROOT, log $CACHE/dockerd.log)"
  # no bridge, no iptables, no forwarding: builds run with --network=none and this machine's network is untouched
  setsid /usr/sbin/dockerd --data-root "$DOCKER_ROOT" --exec-root "$RUNDIR/exec" --pidfile "$RUNDIR/docker.pid" \
    -H "unix://$DOCKER_SOCK" --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    >"$CACHE/dockerd.log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until docker_up; do
    (( SECONDS < deadline )) || die "dockerd did not start in 60 s: see $CACHE/dockerd.log"
    sleep 0.3
  done
}

# Stops dockerd (and the containerd it manages) and removes what it leaves: the nsfs mount of its default
# network namespace under the exec root, and the empty `docker` cgroups it made in every hierarchy.
stop_docker() {
  local pid
  pid="$(cat "$RUNDIR/docker.pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local m
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done \
    < <(awk -v a="$RUNDIR" -v b="$DOCKER_ROOT" 'index($5, a) == 1 || index($5, b) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf "$RUNDIR"
  local dir
  while read -r dir; do rmdir "$dir" 2>/dev/null || true; done \
    < <(find /sys/fs/cgroup/*/docker -depth -type d 2>/dev/null)
}

install_docker() {
  log "apt-get install docker.io"
  # Debian's docker would start itself where an init system runs: nothing may start on install
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

build() { # docker build args...: BuildKit (skips the stages a build does not use); --network=none: no bridge here
  DOCKER_BUILDKIT=1 "${DOCKER[@]}" build --network=none --progress=plain "$@" >>"$CACHE/build.log" 2>&1 \
    || { tail -40 "$CACHE/build.log" >&2; die "docker build $* failed (log: $CACHE/build.log)"; }
}

has_image() { "${DOCKER[@]}" image inspect "$1" >/dev/null 2>&1; }

# ------------------------------------------------------------------------------------------------ bases

# The Debian sources of this machine's apt configuration (deb822 or one-line), for mmdebstrap.
debian_sources() {
  local file
  for file in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [[ -s "$file" ]] && grep -q '^[^#]*debian' "$file"; then
      echo "$file"
      return 0
    fi
  done
  die "no Debian apt sources on this machine (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)"
}

base_key() { # [packages]
  cat "$(debian_sources)" <(echo "$BASE_SUITE ${1:-$BASE_PACKAGES} minbase nodocs") | key_of
}

ensure_base() { # [packages] -> reference
  local packages="${1:-$BASE_PACKAGES}" ref
  ref="localhost/sonde-debian:$BASE_SUITE-$(base_key "$packages")"
  if ! has_image "$ref"; then
    command -v mmdebstrap >/dev/null || {
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
    }
    log "bootstrapping the Debian $BASE_SUITE base with mmdebstrap (minbase + $packages)"
    local tar
    tar="$(mktemp --suffix=.tar)"
    # no documentation, manual pages or translations, no apt lists: a runtime base, not a workstation
    # shellcheck disable=SC2016 # $1 is the hook's argument (the root directory), expanded by mmdebstrap
    mmdebstrap --quiet --variant=minbase --mode=root --include="$packages" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' --aptopt='Acquire::Languages "none"' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      "$BASE_SUITE" "$tar" "$(debian_sources)" >>"$CACHE/build.log" 2>&1 \
      || { rm -f "$tar"; die "mmdebstrap failed (log: $CACHE/build.log)"; }
    "${DOCKER[@]}" import --change 'CMD ["/bin/bash"]' "$tar" "$ref" >/dev/null
    rm -f "$tar"
  fi
  echo "$ref"
}

runtime_key() { # modules
  cat <(base_key) "$JAVA_HOME/release" <(echo "$1") | key_of
}

ensure_runtime() { # name modules -> reference
  local name="$1" modules="$2" base
  base="$(ensure_base)"
  local ref
  ref="localhost/sonde-jre-$name:25-$(runtime_key "$modules")"
  if ! has_image "$ref"; then
    log "jlink: a JRE for the $name ($modules)"
    local ctx
    ctx="$(mktemp -d)"
    "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
      --output "$ctx/jre"
    cat >"$ctx/Dockerfile" <<EOF
FROM $base
COPY jre /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
    build -t "$ref" "$ctx"
    rm -rf "$ctx"
  fi
  echo "$ref"
}

# ------------------------------------------------------------------------------------------------ images

# The jars for one Dockerfile, where its build stage would leave them (/src/<module>/target/...).
jar_paths() { # component
  case "$1" in
    operator) echo "operator/target/quarkus-app" ;;
    agent) echo "node-agent/target/sonde-node-agent.jar node-agent/target/lib" ;;
    demo) echo "hack/demo/workload.py" ;;
  esac
}

jars_key() { # component
  local paths
  read -r -a paths <<<"$(jar_paths "$1")"
  (cd "$SONDE_ROOT" && find "${paths[@]}" -type f -print0 | sort -z | xargs -0 sha256sum) | key_of
}

image_key() { # component dockerfile modules
  if [[ "$1" == demo ]]; then
    cat "$SONDE_ROOT/$2" <(base_key "$DEMO_BASE_PACKAGES") <(jars_key demo) | key_of
  else
    cat "$SONDE_ROOT/$2" <(runtime_key "$3") <(jars_key "$1") | key_of
  fi
}

# The demo workload: its own Dockerfile, with BASE_IMAGE a Debian base that has python3.
build_demo_image() { # dockerfile ref
  local base
  base="$(ensure_base "$DEMO_BASE_PACKAGES")"
  log "docker build -f $1 -t $2 (BASE_IMAGE=$base)"
  build -f "$SONDE_ROOT/$1" --build-arg "BASE_IMAGE=$base" -t "$2" "$SONDE_ROOT/hack/demo"
  save_image demo "$2"
}

save_image() { # component ref
  mkdir -p "$CACHE/tars"
  "${DOCKER[@]}" save -o "$CACHE/tars/sonde-$1.tar.partial" "$2"
  mv "$CACHE/tars/sonde-$1.tar.partial" "$CACHE/tars/sonde-$1.tar"
  "${DOCKER[@]}" image inspect --format '{{.Size}}' "$2" \
    | awk -v r="$2" '{printf "%s: %.0f MB\n", r, $1 / 1e6}' >&2
}

build_image() { # component dockerfile modules ref
  local component="$1" dockerfile="$2" modules="$3" ref="$4"
  local runtime jars ctx paths
  runtime="$(ensure_runtime "$component" "$modules")"
  jars="localhost/sonde-$component-jars:$(jars_key "$component")"
  if ! has_image "$jars"; then
    read -r -a paths <<<"$(jar_paths "$component")"
    (cd "$SONDE_ROOT" && tar -c --transform 's,^,src/,' "${paths[@]}") | "${DOCKER[@]}" import - "$jars" >/dev/null
  fi
  log "docker build -f $dockerfile -t $ref (RUNTIME_IMAGE=$runtime JARS=$jars)"
  # the Dockerfiles' context: the repository (.dockerignore keeps it to sources)
  build -f "$SONDE_ROOT/$dockerfile" --build-arg "RUNTIME_IMAGE=$runtime" --build-arg "JARS=$jars" \
    -t "$ref" "$SONDE_ROOT"
  # keep only this build's jars image: older ones would pile up in the data root
  local old
  for old in $("${DOCKER[@]}" images --format '{{.Repository}}:{{.Tag}}' "localhost/sonde-$component-jars"); do
    [[ "$old" == "$jars" ]] || "${DOCKER[@]}" rmi "$old" >/dev/null 2>&1 || true
  done
  "${DOCKER[@]}" image prune -f >/dev/null 2>&1 || true
  save_image "$component" "$ref"
}

# The node's containerd, when a real node runs for this cluster directory.
node_running() { bash "$SONDE_ROOT/hack/node.sh" image-label "$OPERATOR_REF" sonde.dev/image-key >/dev/null 2>&1; }

import_image() { # component ref
  local component="$1" ref="$2" tar="$CACHE/tars/sonde-$1.tar" have want
  want="$(cat "$CACHE/sonde-$component.key")"
  have="$(bash "$SONDE_ROOT/hack/node.sh" image-label "$ref" sonde.dev/image-key 2>/dev/null || true)"
  if [[ "$have" == "$want" ]]; then
    log "$ref: the node has it"
    return 0
  fi
  bash "$SONDE_ROOT/hack/node.sh" import "$tar"
  bash "$SONDE_ROOT/hack/node.sh" image-label "$ref" sonde.dev/image-key "$want" >/dev/null
  log "$ref: imported into the node's containerd"
}

cmd_build() {
  (( EUID == 0 )) || die "mmdebstrap and dockerd need root"
  require_java
  local component
  for component in operator agent; do
    local -a paths
    read -r -a paths <<<"$(jar_paths "$component")"
    local p
    for p in "${paths[@]}"; do
      [[ -e "$SONDE_ROOT/$p" ]] || die "$p is missing: build the jars first (./mvnw -B -pl operator,node-agent -am package -DskipTests)"
    done
  done
  mkdir -p "$CACHE"
  : >"$CACHE/build.log"
  # one build at a time per cache (one dockerd per data root)
  exec 9>"$CACHE/.lock"
  flock 9

  local -A refs=([operator]="$OPERATOR_REF" [agent]="$AGENT_REF" [demo]="$DEMO_REF")
  local -A dockerfiles=([operator]=Dockerfile.operator [agent]=Dockerfile.agent [demo]=hack/demo/Dockerfile.workload)
  local -A modules=([operator]="$OPERATOR_MODULES" [agent]="$AGENT_MODULES" [demo]="")
  local key
  DOCKER_STARTED=false
  trap 'if [[ "$DOCKER_STARTED" == true ]]; then stop_docker; fi' EXIT
  for component in operator agent demo; do
    key="$(image_key "$component" "${dockerfiles[$component]}" "${modules[$component]}")"
    if [[ "$(cat "$CACHE/sonde-$component.key" 2>/dev/null)" == "$key" && -s "$CACHE/tars/sonde-$component.tar" ]]; then
      log "${refs[$component]}: inputs unchanged, not rebuilt"
      continue
    fi
    [[ "$DOCKER_STARTED" == true ]] || { start_docker; DOCKER_STARTED=true; }
    local t0=$SECONDS
    if [[ "$component" == demo ]]; then
      build_demo_image "${dockerfiles[$component]}" "${refs[$component]}"
    else
      build_image "$component" "${dockerfiles[$component]}" "${modules[$component]}" "${refs[$component]}"
    fi
    echo "$key" >"$CACHE/sonde-$component.key"
    log "${refs[$component]}: built in $((SECONDS - t0)) s"
  done
  if [[ "$DOCKER_STARTED" == true ]]; then stop_docker; DOCKER_STARTED=false; fi

  if node_running; then
    for component in operator agent demo; do import_image "$component" "${refs[$component]}"; done
  else
    log "no real node runs for ${SONDE_CLUSTER_DIR:-the default cluster}: images built, not imported (tars in $CACHE/tars)"
  fi
}

main() {
  local cmd="${1:-build}"
  case "$cmd" in
    build) cmd_build ;;
    refs) printf '%s\n%s\n%s\n' "$OPERATOR_REF" "$AGENT_REF" "$DEMO_REF" ;;
    *) echo "usage: hack/images.sh [build] | refs" >&2; exit 2 ;;
  esac
}

main "$@"
