#!/usr/bin/env bash
# Starts the release-built VitaSync on PORT with a brand-new SQLite data directory.
set -euo pipefail
port="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
data="$(mktemp -d "${TMPDIR:-/tmp}/vitasync-e2e-$port.XXXXXX")"
cd "$root"
export VITASYNC_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$target/site" \
  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=vitasync RUST_LOG="${RUST_LOG:-warn}"
unset DATABASE_URL VITASYNC_PUBLIC_URL
exec "$target/release/vitasync" serve
