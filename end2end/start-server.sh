#!/usr/bin/env bash
# Starts the release-built VitaSync on PORT with a brand-new SQLite data directory.
# With a second argument "demo", the instance is first given an owner (demo@example.com) filled
# with 60 days of demo data, minute heart rate included, through the real CLI.
set -euo pipefail
port="$1"
seed="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
data="$(mktemp -d "${TMPDIR:-/tmp}/vitasync-e2e-$port.XXXXXX")"
cd "$root"
export VITASYNC_DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$target/site" \
  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=vitasync RUST_LOG="${RUST_LOG:-warn}"
unset DATABASE_URL VITASYNC_PUBLIC_URL
# Browser tests send webhooks to a receiver on this machine's loopback address.
export VITASYNC_ALLOW_PRIVATE_WEBHOOKS=true
if [ "$seed" = "demo" ]; then
  VITASYNC_ADMIN_PASSWORD="demo-password-1" "$target/release/vitasync" admin bootstrap \
    --workspace "Demo" --email demo@example.com --timezone Europe/Paris >/dev/null
  "$target/release/vitasync" demo --user demo@example.com --days 60 --intraday >/dev/null
fi
exec "$target/release/vitasync" serve
