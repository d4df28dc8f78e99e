#!/bin/sh
# Builds what is missing and serves the app at http://127.0.0.1:8080/ with live reload.
# Click "Load demo" on the page to explore the demo snapshot.
#
# The first run on a fresh machine must compile trunk (the dev server) once. While it
# does, this script builds the CLI beside it and writes the demo's report
# (target/first-look/portolan-demo.html: the same self-contained HTML the app exports), so
# there is something to read within minutes, then builds the app's wasm so trunk starts
# warm.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if [ "$(trunk --version 2>/dev/null)" != "trunk $(sed -n 's/^TRUNK_VERSION=//p' scripts/setup.sh)" ]; then
    mkdir -p target/first-look
    log=target/first-look/trunk-install.log
    step "first run: compiling trunk, the dev server (once; see BENCHMARKS.md 'First run' for the time it takes)"
    step "its progress goes to $log; meanwhile the CLI is built and writes the demo's report"
    started=$(date +%s)
    # A session of its own, so that leaving this script (an error, Ctrl-C) stops the
    # whole compile rather than orphaning it.
    SETUP_ONLY=trunk setsid scripts/setup.sh > "$log" 2>&1 &
    trunk_pid=$!
    trap 'kill -- "-$trunk_pid" 2>/dev/null || true' EXIT
    trap 'exit 130' INT TERM
    # The CLI first: it needs none of the web tools, and wasm-bindgen-cli's install
    # (about 4 minutes) would otherwise stand between the user and the first look.
    cargo build --quiet -p portolan
    target/debug/portolan analyze public/demo --format html -q -o target/first-look/portolan-demo.html
    step "a first look, ready now: open $root/target/first-look/portolan-demo.html in a browser"
    step "(any snapshot folder works the same way: target/debug/portolan analyze DIR --format html -o report.html)"
    step "installing the web build's tools and building the app's wasm while trunk compiles"
    SETUP_SKIP=trunk scripts/setup.sh
    cargo build --quiet --target wasm32-unknown-unknown -p portolan-app --bins
    ticks=0
    while kill -0 "$trunk_pid" 2>/dev/null; do
        [ $((ticks % 12)) -ne 0 ] ||
            step "still compiling trunk ($(( ($(date +%s) - started) / 60 )) min so far): $(tail -n 1 "$log" | cut -c1-70)"
        ticks=$((ticks + 1))
        sleep 5
    done
    wait "$trunk_pid" || { step "installing trunk failed: see $log"; tail -n 20 "$log" >&2; exit 1; }
    trap - EXIT
    step "trunk is ready after $(( ($(date +%s) - started) / 60 )) min"
fi

scripts/setup.sh
. scripts/env.sh
exec trunk serve --address 127.0.0.1 --port "${PORT:-8080}" "$@"
