#!/usr/bin/env bash
# Make a Docker engine available for chaosml's tests: install it, start it, wait for it, and
# build the local base image the tests run their containers from. Idempotent; run as root.
#
#   scripts/ci/docker-up.sh
#
# Environment (all optional):
#   DOCKER_HOST          the daemon to check and to build the image in (the docker CLI's own)
#   DOCKERD_ARGS         extra arguments for dockerd when it has to be started (a private
#                        daemon: "-H unix:///tmp/d/docker.sock --data-root /tmp/d/data ...")
#   DOCKERD_LOG          where dockerd logs when started here (default /tmp/chaosml-dockerd.log)
#   DOCKER_UP_TIMEOUT    seconds to wait for the daemon to answer (default 60)
#   BASE_IMAGE           the base image to build (default chaosml-test/base:latest)
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/chaosml-dockerd.log}
DOCKER_UP_TIMEOUT=${DOCKER_UP_TIMEOUT:-60}
BASE_IMAGE=${BASE_IMAGE:-chaosml-test/base:latest}

say() { echo "docker-up: $*"; }

install_engine() {
  if command -v dockerd >/dev/null 2>&1; then
    say "dockerd present ($(command -v dockerd))"
    return
  fi
  say "dockerd missing: installing docker.io from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
  apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q docker.io
}

daemon_answers() { timeout 10 docker info >/dev/null 2>&1; }

start_daemon() {
  if daemon_answers; then
    say "daemon already answering${DOCKER_HOST:+ at $DOCKER_HOST}"
    return
  fi
  say "starting dockerd ${DOCKERD_ARGS:-} (log: $DOCKERD_LOG)"
  # shellcheck disable=SC2086  # DOCKERD_ARGS is a list of arguments
  setsid nohup dockerd ${DOCKERD_ARGS:-} >"$DOCKERD_LOG" 2>&1 </dev/null &
  wait_for_daemon
}

wait_for_daemon() {
  local deadline=$((SECONDS + DOCKER_UP_TIMEOUT))
  until daemon_answers; do
    if ((SECONDS >= deadline)); then
      say "dockerd did not answer within ${DOCKER_UP_TIMEOUT}s; last log lines:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  say "daemon answering after $((SECONDS))s"
}

build_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "image $BASE_IMAGE present"
    return
  fi
  local empty
  empty=$(mktemp -d)
  tar -C "$empty" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rmdir "$empty"
  say "built $BASE_IMAGE from an empty tar"
}

install_engine
start_daemon
build_base_image
say "ready: $(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}')"
