#!/bin/sh
# Builds the page's wasm split into a first-load module and lazily loaded chunks, and
# writes it into trunk's staging folder. Trunk runs this as a post_build hook
# (Trunk.toml); its own Rust pipeline builds only the worker, because trunk 0.21 has no
# step between cargo and wasm-bindgen where the splitter must run:
#
#   cargo (linked with --emit-relocs, so the splitter can move code and data)
#   -> wasm-split-cli (main module, chunk modules, __wasm_split.js that loads them)
#   -> wasm-bindgen on the main module -> wasm-opt -Oz on the main module and each chunk
#
# The split points are the `#[wasm_split]` functions of app/src/pages.rs (ARCHITECTURE.md,
# `index.html`). Run by hand, it builds the release page into dist/:
#   TRUNK_PROFILE=release TRUNK_STAGING_DIR=dist scripts/page.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/env.sh

out=${TRUNK_STAGING_DIR:?set by trunk: the folder the page is written into}
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
    profile=wasm-release
    profile_dir=wasm-release
else
    profile=dev
    profile_dir=debug
fi
name=portolan-app
wasm=target/wasm32-unknown-unknown/$profile_dir/$name.wasm
split=target/page-split/$profile_dir

# `cargo rustc` passes the linker flag to the page's final link only: the worker and
# every dependency keep the artifacts `cargo build` and trunk share.
cargo rustc --locked -p portolan-app --bin "$name" --target wasm32-unknown-unknown \
    --profile "$profile" -- -C link-arg=--emit-relocs

rm -rf "$split"
mkdir -p "$split/bindgen"
# The main module is written to $split/$name.wasm and imports the chunk loaders from
# ./__wasm_split.js, which imports initSync from ./$name.js (wasm-bindgen's output).
wasm-split-cli --target web --out-name "$name" "$wasm" "$split"
# The loader logs every failed load on the console. The page shows a failure where the
# page would be (app/src/pages.rs), and a background fetch cut short by leaving the page
# (a reload right after an analysis) is no error: drop the log, and stop if the
# generated loader no longer has it where expected.
sed -i 's/^\( *\)console\.error(e);$/\1\/\/ reported by the page (app\/src\/pages.rs)/' "$split/__wasm_split.js"
if ! grep -q 'reported by the page' "$split/__wasm_split.js"; then
    echo "scripts/page.sh: __wasm_split.js logs differently than expected; review the edit above" >&2
    exit 1
fi
# Keep the exports the chunks import (memory, table, shared functions): wasm-bindgen
# would otherwise drop the linker's exports, and demangling would rename them.
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-dir "$split/bindgen" --out-name "$name" "$split/$name.wasm"

# Chunks of an earlier build would stay beside the new ones when run by hand into dist/.
rm -f "$out"/split_*.wasm "$out"/chunk_*.wasm
cp "$split/bindgen/$name.js" "$split/bindgen/${name}_bg.wasm" "$split/__wasm_split.js" "$out/"
modules="$out/${name}_bg.wasm"
for chunk in "$split"/split_*.wasm "$split"/chunk_*.wasm; do
    [ -e "$chunk" ] || continue
    cp "$chunk" "$out/"
    modules="$modules $out/$(basename "$chunk")"
done
if [ "$profile" = wasm-release ]; then
    for module in $modules; do
        wasm-opt -Oz "$module" -o "$module"
    done
fi
