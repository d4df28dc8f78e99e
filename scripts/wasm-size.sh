#!/bin/sh
# Reports the size of each .wasm in a dist folder: raw and gzip -9 (what a static host
# serves compressed). Then the page's first load (its main module, portolan-app_bg.wasm:
# what is fetched before the drop zone works) and its chunks, fetched when a page that
# needs them opens (and in the background after the first analysis). The worker's wasm
# loads after the first paint and is in neither sum.
set -eu
dist=${1:-dist}
chunks=0
for f in "$dist"/*.wasm; do
    raw=$(wc -c < "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    printf '%-56s %8d bytes  %8d bytes gzip -9  (%d KiB compressed)\n' "$(basename "$f")" "$raw" "$gz" $((gz / 1024))
    case $(basename "$f") in
        portolan-app_bg.wasm) first=$gz ;;
        worker_bg.wasm) ;;
        *) chunks=$((chunks + gz)) ;;
    esac
done
if [ -n "${first:-}" ]; then
    printf 'page first load (portolan-app_bg.wasm): %d bytes gzip -9 (%d KiB; the goal is at most 600 KiB)\n' "$first" $((first / 1024))
    printf 'page chunks, loaded on use: %d bytes gzip -9 (%d KiB) in all\n' "$chunks" $((chunks / 1024))
fi
