# Shared by scripts/run and scripts/test: installs what the build needs (once per machine) and
# builds the site the way cargo-leptos would, with plain cargo, so a fresh machine does not
# spend 20 minutes compiling cargo-leptos before its first run.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${VITASYNC_TOOLS_DIR:-$HOME/.cache/vitasync-tools}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_ROOT="$CARGO_TARGET_DIR/site"
BINARYEN_VERSION=132
# The API reference page (/docs/api) renders /v1/openapi.json with Redoc's standalone bundle,
# taken from the npm registry package and served by VitaSync itself (no CDN).
REDOC_VERSION=2.5.4
REDOC_BUNDLE="$TOOLS_DIR/redoc-$REDOC_VERSION/redoc.standalone.js"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen CLI must match the crate version exactly (Cargo.toml pins it).
wasm_bindgen_version() {
  grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p'
}

ensure_build_tools() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust from https://rustup.rs"
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || die "could not add the wasm32 target (it comes from the Rust distribution server)"
  fi
  local want; want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (one time, a few minutes)"
    # Not --locked: its lockfile names a crate version the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  # Debian's binaryen is too old and breaks hydration; npm's is current.
  if [ ! -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
    command -v npm >/dev/null || die "npm is missing: install Node.js 20+"
    say "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
  fi
  if [ ! -f "$REDOC_BUNDLE" ]; then
    say "Fetching the API reference viewer (npm redoc@$REDOC_VERSION)"
    local dir; dir="$(dirname "$REDOC_BUNDLE")"
    mkdir -p "$dir"
    # Only the package's tarball: its standalone bundle needs none of its dependencies.
    (cd "$dir" && npm pack --silent "redoc@$REDOC_VERSION" >/dev/null \
      && tar -xzf "redoc-$REDOC_VERSION.tgz" --strip-components=2 package/bundles/redoc.standalone.js \
      && tar -xzf "redoc-$REDOC_VERSION.tgz" --strip-components=1 package/LICENSE \
      && rm -f "redoc-$REDOC_VERSION.tgz")
  fi
}

# Builds target/site: the hydrate wasm (size-tuned profile), its JS glue, CSS and public files.
build_site() {
  say "Building the browser bundle (wasm)"
  cargo build --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
  local pkg="$SITE_ROOT/pkg" tmp="$SITE_ROOT/.pkg-next"
  rm -rf "$tmp" && mkdir -p "$tmp"
  wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name vitasync \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/vitasync.wasm"
  "$TOOLS_DIR/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$tmp/vitasync_bg.wasm" "$tmp/vitasync_bg.wasm"
  cp "$ROOT/style/main.css" "$tmp/vitasync.css"
  # Swap the new bundle in at once so a running server never serves half a build.
  rm -rf "$pkg" && mv "$tmp" "$pkg"
  cp -R "$ROOT/public/." "$SITE_ROOT/"
  mkdir -p "$SITE_ROOT/api-docs"
  cp "$REDOC_BUNDLE" "$SITE_ROOT/api-docs/redoc.standalone.js"
  cp "$(dirname "$REDOC_BUNDLE")/LICENSE" "$SITE_ROOT/api-docs/REDOC-LICENSE.txt"
}

build_server() {
  say "Building the server (release)"
  cargo build --release --bin vitasync --features ssr
}

# Environment for running the built server from the repository root.
site_env() {
  export LEPTOS_OUTPUT_NAME=vitasync
  export LEPTOS_SITE_ROOT="$SITE_ROOT"
  export LEPTOS_SITE_PKG_DIR=pkg
}
