#!/usr/bin/env bash
# Everlock set-up on a fresh Debian machine, as root. Idempotent: run it as often as you like.
#
#   bash scripts/setup.sh            apt packages, pnpm, dependencies, build
#
# Environment:
#   EVERLOCK_SETUP_APT=always|auto|never   apt-get update + install: always, only when a package is missing
#                                          (default auto), or never (you installed them yourself)
#   EVERLOCK_SETUP_BUILD=0                 skip `pnpm build`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM_VERSION=12.4.2
# What the tests drive for real: image tools, the SSH client, tmux for PTY sessions, a reference registry,
# htpasswd, OCI layout tools and a load generator. Plus git (the storage benchmark's anchor).
APT_PACKAGES=(
  skopeo podman sshpass openssh-client tmux docker-registry apache2-utils umoci wrk
  git ca-certificates
)

say() { printf '\n== setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: '$*' needs root (run as root or install sudo)" >&2
    return 1
  fi
}

missing_apt_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

install_apt() {
  local mode=${EVERLOCK_SETUP_APT:-auto}
  [ "$mode" = never ] && { say "apt: skipped (EVERLOCK_SETUP_APT=never)"; return; }
  if ! command -v apt-get >/dev/null; then
    say "apt: no apt-get here; install by hand: ${APT_PACKAGES[*]}"
    return
  fi
  local missing
  missing=$(missing_apt_packages)
  if [ "$mode" = auto ] && [ -z "$missing" ]; then
    say "apt: all packages present"
    return
  fi
  say "apt: installing $(echo ${missing:-${APT_PACKAGES[*]}})"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q "${APT_PACKAGES[@]}"
  # Debian's docker-registry package starts a registry on :5000 as a service; the tests start their own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
    as_root systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
}

# Podman and skopeo as root against a plain-http loopback registry: `--tls-verify=false` does the rest;
# they only need a signature policy that accepts images (containers-common ships one; a bare machine may not).
configure_containers() {
  command -v podman >/dev/null || return 0
  if [ ! -s /etc/containers/policy.json ]; then
    say "containers: writing /etc/containers/policy.json (accept unsigned images)"
    as_root mkdir -p /etc/containers
    printf '%s\n' '{ "default": [{ "type": "insecureAcceptAnything" }] }' | as_root tee /etc/containers/policy.json >/dev/null
  fi
  if [ ! -e /etc/containers/registries.conf ]; then
    # No search registries: a short name never reaches out to the network.
    printf '%s\n' 'unqualified-search-registries = []' | as_root tee /etc/containers/registries.conf >/dev/null
  fi
}

install_pnpm() {
  local have=''
  command -v pnpm >/dev/null && have=$(pnpm --version 2>/dev/null || true)
  if [ "$have" = "$PNPM_VERSION" ]; then
    say "pnpm $PNPM_VERSION present"
    return
  fi
  say "pnpm: installing $PNPM_VERSION (found '${have:-none}')"
  as_root npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION"
  hash -r
}

node_check() {
  command -v node >/dev/null || { echo "setup: Node.js >= 20.19 is required" >&2; exit 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    { echo "setup: Node.js >= 20.19 is required (found $(node --version))" >&2; exit 1; }
}

node_check
install_apt
configure_containers
install_pnpm
export TURBO_TELEMETRY_DISABLED=1
say "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile
if [ "${EVERLOCK_SETUP_BUILD:-1}" != 0 ]; then
  say "pnpm build"
  pnpm build
fi
say "done"
