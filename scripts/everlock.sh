#!/usr/bin/env bash
# `pnpm everlock …`: build the app and the packages it uses (quietly; the log is shown if the build fails),
# then run its CLI in the current directory (so ./data and ./config are where you are).
# package.json runs this as `exec bash scripts/everlock.sh`, and this script execs node: the server is then the
# very process pnpm waits for. Ctrl-C reaches the whole process group; the server stops cleanly and exits 0,
# which pnpm passes on. (Without the execs, pnpm's `sh -c` dies of that SIGINT and pnpm reports
# "[ELIFECYCLE] Command failed." and exit 130 after a clean stop.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log="$(mktemp)"
if ! (cd "$root" && pnpm exec turbo run build --filter=everlock... --output-logs=errors-only) >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "everlock: build failed" >&2
  exit 1
fi
rm -f "$log"
exec node "$root/apps/everlock/dist/cli.js" "$@"
