#!/usr/bin/env bash
# Makes sure a Docker engine is reachable and the base image the sample tasks use exists.
# Does nothing where both are already true (a normal developer machine with Docker and a registry).
# Where no engine is reachable and this is Debian with root, installs docker.io and starts dockerd.
# Where the base image cannot be pulled (no registry reachable), builds it locally with debootstrap
# from the Debian mirror apt is already configured to use.
set -euo pipefail

BASE_IMAGE="${HBENCH_BASE_IMAGE:-debian:bookworm-slim}"
SUITE="${HBENCH_BASE_SUITE:-bookworm}"
LOG="${HBENCH_DOCKERD_LOG:-/var/log/hbench-dockerd.log}"

say() { echo "[docker/setup] $*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

is_debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

start_engine() {
  if engine_up; then return 0; fi
  if ! is_debian_root; then
    say "no Docker engine is reachable (docker info failed). Start Docker (or set DOCKER_HOST) and try again."
    exit 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    say "installing docker.io from Debian's packages"
    apt_install docker.io iptables ca-certificates
  fi
  # Prefer the engine's matching client when the one on PATH is only a stand-alone client.
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "starting dockerd (log: $LOG)"
    nohup dockerd >"$LOG" 2>&1 &
  fi
  for _ in $(seq 1 60); do
    if engine_up; then say "Docker engine is up"; return 0; fi
    sleep 0.5
  done
  say "dockerd did not come up within 30 s; see $LOG"
  exit 1
}

# The Debian mirror apt uses, read from the system's own configuration (never hard-coded).
apt_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^(http|https|file):/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    uri=$(grep -rhoE '^(deb|URIs:)[^#]*(http|https)://[^ ]+' /etc/apt/sources.list.d/ 2>/dev/null | grep -v security | grep -oE '(http|https)://[^ ]+' | head -n1 || true)
  fi
  echo "$uri"
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  say "pulling $BASE_IMAGE"
  if timeout 60 docker pull "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  if ! is_debian_root; then
    say "cannot pull $BASE_IMAGE and cannot build it here; pull or load it yourself (docker pull $BASE_IMAGE)"
    exit 1
  fi
  local mirror
  mirror=$(apt_mirror)
  if [ -z "$mirror" ]; then
    say "cannot pull $BASE_IMAGE and found no Debian mirror in /etc/apt to build it from"
    exit 1
  fi
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local dir
  dir=$(mktemp -d /tmp/hbench-rootfs.XXXXXX)
  trap 'rm -rf "$dir"' RETURN
  say "no registry reachable: building $BASE_IMAGE locally with debootstrap ($SUITE, minbase)"
  debootstrap --variant=minbase "$SUITE" "$dir" "$mirror" >/tmp/hbench-debootstrap.log 2>&1 || {
    say "debootstrap failed; see /tmp/hbench-debootstrap.log"; exit 1; }
  # Keep apt usable inside containers the way the official slim image is.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb
  tar -C "$dir" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  say "built $BASE_IMAGE"
}

start_engine
ensure_base_image
