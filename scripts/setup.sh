#!/usr/bin/env bash
# Everlock set-up on a fresh Debian/Ubuntu machine; safe to run again (installs only what is missing).
#   1. apt packages the tests and the walk-through use (as root, or through sudo)
#   2. pnpm at the version pinned in package.json
#   3. pnpm install --frozen-lockfile && pnpm build
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
NODE_MIN=20.19
# skopeo/podman/umoci: OCI clients for the registry tests; openssh-client/sshpass/tmux: the SSH console tests;
# docker-registry/apache2-utils/wrk: benchmarks and the reference registry; git: bench/storage's anchor.
# gcc/libc6-dev: build the small sendfile(2) addon of @everlock/sendfile (against the Node headers already installed).
APT_PACKAGES=(ca-certificates git tar gzip skopeo podman umoci openssh-client sshpass tmux docker-registry apache2-utils wrk gcc libc6-dev)

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup.sh: need root (or sudo) for: $*" >&2; exit 1
  fi
}

install_apt_packages() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get: install these yourself if tests need them: ${APT_PACKAGES[*]}"
    return
  fi
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "apt packages present"
    return
  fi
  say "installing ${missing[*]}"
  as_root apt-get update -q
  # With recommends, as on the machines the tests were written on (podman's bring uidmap, fuse-overlayfs,
  # slirp4netns, catatonit and the network stack).
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# skopeo and podman refuse to run without a signature policy; the default accepts anything (local use).
containers_config() {
  if [ ! -f /etc/containers/policy.json ]; then
    say "writing /etc/containers/policy.json"
    as_root mkdir -p /etc/containers
    printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' | as_root tee /etc/containers/policy.json >/dev/null
  fi
}

check_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "setup.sh: Node.js >= $NODE_MIN is required (https://nodejs.org)" >&2; exit 1
  fi
  if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]='$NODE_MIN'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)"; then
    echo "setup.sh: Node.js >= $NODE_MIN is required, found $(node --version)" >&2; exit 1
  fi
}

install_pnpm() {
  if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    say "installing pnpm@$PNPM_VERSION"
    if [ "$(id -u)" -eq 0 ] || [ -w "$(npm prefix -g)/lib" ]; then npm install -g "pnpm@$PNPM_VERSION"
    else as_root npm install -g "pnpm@$PNPM_VERSION"
    fi
  fi
  say "pnpm $(pnpm --version)"
}

install_apt_packages
containers_config
check_node
install_pnpm
say "pnpm install"
pnpm install --frozen-lockfile
say "pnpm build"
pnpm build
say "ready: pnpm everlock serve --help   |   pnpm test"
