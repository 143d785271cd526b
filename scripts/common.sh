# Shared by scripts/run and scripts/test: installs what the build needs (once per machine) and
# builds the site the way cargo-leptos would, with plain cargo, so a fresh machine does not
# spend 20 minutes compiling cargo-leptos before its first run.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${VITASYNC_TOOLS_DIR:-$HOME/.cache/vitasync-tools}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_ROOT="${VITASYNC_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
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

# Builds target/site: the islands' wasm (size-tuned profile), its JS glue, CSS and public files.
# The bundle and the stylesheet are named after a hash of their content and listed in
# pkg/assets.txt (the server reads it), so browsers may cache them for a year; each file also
# gets a brotli and a gzip copy, sent to browsers that accept them.
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
  local bundle css
  bundle="vitasync.$(cat "$tmp/vitasync.js" "$tmp/vitasync_bg.wasm" | sha256sum | cut -c1-20)"
  css="vitasync.$(sha256sum < "$tmp/vitasync.css" | cut -c1-20).css"
  mv "$tmp/vitasync.js" "$tmp/$bundle.js"
  mv "$tmp/vitasync_bg.wasm" "$tmp/${bundle}_bg.wasm"
  mv "$tmp/vitasync.css" "$tmp/$css"
  printf 'css=%s\njs=%s\nwasm=%s\n' "$css" "$bundle.js" "${bundle}_bg.wasm" > "$tmp/assets.txt"
  precompress "$tmp/$bundle.js" "$tmp/${bundle}_bg.wasm" "$tmp/$css"
  # Swap the new bundle in at once so a running server never serves half a build.
  rm -rf "$pkg" && mv "$tmp" "$pkg"
  cp -R "$ROOT/public/." "$SITE_ROOT/"
  mkdir -p "$SITE_ROOT/api-docs"
  cp "$REDOC_BUNDLE" "$SITE_ROOT/api-docs/redoc.standalone.js"
  cp "$(dirname "$REDOC_BUNDLE")/LICENSE" "$SITE_ROOT/api-docs/REDOC-LICENSE.txt"
  precompress "$SITE_ROOT/api-docs/redoc.standalone.js"
  say "Browser bundle: $(du -b "$pkg/${bundle}_bg.wasm" | cut -f1) bytes of wasm, $(du -b "$pkg/${bundle}_bg.wasm.br" | cut -f1) as brotli"
}

# Writes FILE.br (brotli, best) and FILE.gz (gzip -9) beside each FILE, with Node's zlib
# (Node is already needed for wasm-opt), keeping the original's modification time.
precompress() {
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    for (const f of process.argv.slice(1)) {
      const data = fs.readFileSync(f), t = fs.statSync(f).mtime;
      fs.writeFileSync(f + ".br", zlib.brotliCompressSync(data, { params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
      fs.writeFileSync(f + ".gz", zlib.gzipSync(data, { level: 9 }));
      fs.utimesSync(f + ".br", t, t); fs.utimesSync(f + ".gz", t, t);
    }' "$@"
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
