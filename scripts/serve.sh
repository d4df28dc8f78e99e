#!/bin/sh
# Builds what is missing and serves the app at http://127.0.0.1:8080/ with live reload.
# Click "Load demo" on the page to explore the demo snapshot.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
. scripts/env.sh
exec trunk serve --address 127.0.0.1 --port "${PORT:-8080}" "$@"
