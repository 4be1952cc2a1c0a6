#!/usr/bin/env bash
# `pnpm everlock …`: build the app and the packages it uses (quietly; the log is shown if the build fails),
# then run its CLI in the current directory (so ./data and ./config are where you are).
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
