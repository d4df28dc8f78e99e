# Sourced by the scripts: puts the project's own tools on PATH.
PATH="$(pwd)/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export PATH
