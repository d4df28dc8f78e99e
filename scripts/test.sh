#!/bin/sh
# Runs every test: formatting and lints, engine and CLI tests (with the reference
# fixtures in ../shared/oracles when present), the release wasm build (optimised, with
# its compressed size reported), and the browser tests against the built dist/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --test
. scripts/env.sh

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (engine, cli, app for wasm32)"
cargo clippy --locked -p portolan-engine -p portolan --all-targets -- -D warnings
cargo clippy --locked -p portolan-app --target wasm32-unknown-unknown -- -D warnings

step "engine, CLI and app tests"
cargo test --locked -p portolan-engine -p portolan -p portolan-app

step "release build of the web app (trunk, wasm-opt)"
trunk build --release
scripts/wasm-size.sh dist

step "browser tests"
cargo build --locked -p portolan
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/app.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/report.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/namespace.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/alerts.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/explorer.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/trust.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/map.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/explorer_map.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/breadth.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/clusters.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/cloud.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/audit_stream.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/charts.test.mjs
PORTOLAN_BIN="$root/target/debug/portolan" node tests/browser/policies.test.mjs

step "all tests passed"
