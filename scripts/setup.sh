#!/bin/sh
# Installs what building and testing Portolan needs, skipping what is already there.
# Reaches only the Rust (crates.io), npm and Debian package registries.
#
#   scripts/setup.sh          build tools (wasm target, trunk, wasm-bindgen, wasm-split-cli,
#                             wasm-opt)
#   scripts/setup.sh --test   also the browser test tools (Debian chromium, playwright-core)
#
# SETUP_ONLY=trunk installs trunk alone and SETUP_SKIP=trunk everything else, so that
# scripts/serve.sh can compile trunk beside the rest on a first run.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

TRUNK_VERSION=0.21.14
# The CLI must equal the wasm-bindgen crate the app links (pinned with `=` in app/Cargo.toml).
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)

if [ "${SETUP_ONLY:-}" != trunk ] && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

if [ "${SETUP_SKIP:-}" != trunk ] && [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    step "installing trunk $TRUNK_VERSION (several minutes on 2 cores, once)"
    # trunk's own release profile asks for fat LTO and one codegen unit: most of its
    # compile time, for a dev server whose speed does not matter here. Override both.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install --locked "trunk@$TRUNK_VERSION"
fi
[ "${SETUP_ONLY:-}" != trunk ] || exit 0

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Not --locked: its lockfile pins a crate version the registry no longer has.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# The splitter of the page's wasm (scripts/page.sh): the version must read the markers
# of the wasm_split_helpers the app links (Cargo.lock).
WASM_SPLIT_VERSION=0.2.4
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    step "installing wasm-split-cli $WASM_SPLIT_VERSION (wasm_split_cli_support)"
    cargo install --locked wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" --features build-binary
fi

npm_ci() {
    # $1: folder with package.json and package-lock.json
    if [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
        step "installing npm packages in $1"
        (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# wasm-opt from the npm package binaryen (Debian's binaryen 108 breaks the module).
npm_ci tools

if [ "${1:-}" = "--test" ]; then
    if [ ! -x /usr/bin/chromium ]; then
        step "installing Debian chromium for the browser tests"
        sudo_=""
        [ "$(id -u)" -eq 0 ] || sudo_=sudo
        $sudo_ apt-get install -y --no-install-recommends chromium chromium-driver ||
            { $sudo_ apt-get update && $sudo_ apt-get install -y --no-install-recommends chromium chromium-driver; }
    fi
    npm_ci tests/browser
fi
