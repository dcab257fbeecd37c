#!/usr/bin/env bash
# Starts and stops a private Docker daemon for the test suite, changing the host as little as
# possible, so that CI can run the container tests and leave the machine as it found it.
#
#   eval "$(deployments/docker-test/dockerd.sh start)"   # prints `export DOCKER_HOST=...`
#   deployments/docker-test/dockerd.sh stop
#
# - its own data root (kept between runs: it is the image cache, DOCKER_TEST_DATA_ROOT),
#   exec root, pid file and socket; the host's /var/run/docker.sock is never touched, so only
#   processes given DOCKER_HOST see this daemon;
# - --iptables=false --ip6tables=false --ip-forward=false: no chains, no rules, no FORWARD policy
#   change and no sysctl change; published ports go through docker-proxy on 127.0.0.1;
# - its own bridge (rc-docker0, 10.213.0.1/24) instead of docker0, deleted again by `stop`.
# Stop ends the daemon by its PID and removes the bridge and networks it left behind.
set -euo pipefail

DATA_ROOT="${DOCKER_TEST_DATA_ROOT:-/var/tmp/random-chat-docker}"
EXEC_ROOT="${DOCKER_TEST_EXEC_ROOT:-/run/random-chat-docker}"
BRIDGE=rc-docker0
BRIDGE_CIDR=10.213.0.1/24
SOCKET="$EXEC_ROOT/docker.sock"
PIDFILE="$EXEC_ROOT/dockerd.pid"
LOG="$DATA_ROOT/dockerd.log"

bridges() { ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1; }

say() { echo "dockerd.sh: $*" >&2; }

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  command -v dockerd >/dev/null || { say "dockerd is not installed"; return 1; }
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
  else
    bridges >"$EXEC_ROOT/bridges.before"
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
      ip link add name "$BRIDGE" type bridge
      ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
      ip link set "$BRIDGE" up
    fi
    # setsid: the daemon outlives the shell that started it and is stopped by `stop` only.
    setsid dockerd \
      --data-root "$DATA_ROOT/data" --exec-root "$EXEC_ROOT/exec" \
      --pidfile "$PIDFILE" --host "unix://$SOCKET" \
      --bridge "$BRIDGE" --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --userland-proxy=true --containerd-namespace random-chat-test \
      --containerd-plugins-namespace random-chat-test-plugins \
      --log-level warn >"$LOG" 2>&1 < /dev/null &
    local waited=0
    until DOCKER_HOST="unix://$SOCKET" docker version >/dev/null 2>&1; do
      if (( waited >= 60 )); then
        say "the daemon did not answer within 60 s; its log:"; tail -20 "$LOG" >&2
        stop; return 1
      fi
      sleep 1; waited=$((waited + 1))
    done
    say "started (pid $(cat "$PIDFILE"), data root $DATA_ROOT, socket $SOCKET)"
  fi
  echo "export DOCKER_HOST=unix://$SOCKET"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    # Containers first, so that no container network outlives the daemon.
    local ids
    ids="$(DOCKER_HOST="unix://$SOCKET" docker ps -q 2>/dev/null || true)"
    [[ -z "$ids" ]] || DOCKER_HOST="unix://$SOCKET" docker rm -f $ids >/dev/null 2>&1 || true
    DOCKER_HOST="unix://$SOCKET" docker network prune -f >/dev/null 2>&1 || true
    kill "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if (( waited >= 60 )); then say "dockerd $pid did not stop in 30 s: killing it"; kill -9 "$pid" || true; break; fi
      sleep 0.5; waited=$((waited + 1))
    done
    say "stopped (pid $pid)"
  fi
  # The daemon's bridges for user networks are named br-<id>: remove those that were not there
  # before it started.
  ip link delete "$BRIDGE" 2>/dev/null || true
  local link
  for link in $(bridges | grep '^br-' || true); do
    if ! grep -qx "$link" "$EXEC_ROOT/bridges.before" 2>/dev/null; then
      ip link delete "$link" 2>/dev/null || true
    fi
  done
  umount "$EXEC_ROOT"/exec/netns/* 2>/dev/null || true
  rm -rf "$EXEC_ROOT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
