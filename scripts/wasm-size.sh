#!/bin/sh
# Reports the size of each .wasm in a dist folder: raw and gzip -9 (what a static host
# serves compressed).
set -eu
dist=${1:-dist}
for f in "$dist"/*.wasm; do
    raw=$(wc -c < "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    printf '%-40s %8d bytes  %8d bytes gzip -9  (%d KiB compressed)\n' "$(basename "$f")" "$raw" "$gz" $((gz / 1024))
done
