#!/usr/bin/env bash
# Runs the engine's fuzz targets (fuzz/, cargo-fuzz layout) one after another, each seeded
# from tests/fixtures and public/demo. Nightly Rust and cargo-fuzz are needed
# (`rustup toolchain install nightly`, `cargo install cargo-fuzz`). Not run by CI.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   default 300 seconds each, every target. FUZZ_RUNS=N runs N executions instead of a
#   time limit (the issue's figure is 10,000,000). FUZZ_MAX_LEN=N caps an input's length
#   (default 262144; the ten-million runs use 16384, which keeps each execution fast while
#   still deeper than every nesting limit). FUZZ_FORK=N runs N jobs at once (libFuzzer's
#   fork mode; it counts the runs of all jobs together and stops at the first crash);
#   FUZZ_NICE=N sets its niceness (default 10; 19 beside other work).
#   Crashes land in fuzz/artifacts/TARGET/;
#   the corpora grow in fuzz/corpus/TARGET/ (both ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

seconds="${1:-300}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse_file audit_stream analyze exemptions saved_analysis policies)
fi

# Seeds: every fixture and demo file, prefixed with the byte(s) the target reads first
# (parse_file/analyze: the extension; audit_stream: the chunk size, 4 KiB).
seed() {
  local target="$1" prefix="$2" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  find tests/fixtures public/demo -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.log' -o -name '*.jsonl' -o -name '*.rego' \) -size -1024k |
    while read -r f; do
      local name
      name="$dir/seed-$(printf '%s' "$f" | tr '/' '_')"
      [ -e "$name" ] || { printf "$prefix"; cat "$f"; } > "$name"
    done
}
seed parse_file '\000'
seed analyze '\000'
seed audit_stream '\377\017'
# policies: whole policy files (first byte 0), and the Rego blocks (2) and CEL
# expressions (3) of the fixtures' policies, which the target wraps in a template or a
# ValidatingAdmissionPolicy of its own.
mkdir -p fuzz/corpus/policies
find tests/fixtures -path '*polic*' -type f -name '*.yaml' | python3 -c '
import re, sys
out = "fuzz/corpus/policies/seed-"
for n, path in enumerate(sorted(sys.stdin.read().split())):
    text = open(path, encoding="utf-8", errors="replace").read()
    open(out + "%d-file" % n, "wb").write(b"\0" + text.encode())
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)rego: *\|", line)
        if m:
            body = []
            for rest in lines[i + 1:]:
                if rest.strip() and len(rest) - len(rest.lstrip()) <= len(m.group(1)):
                    break
                body.append(rest)
            open(out + "%d-rego-%d" % (n, i), "wb").write(b"\2" + "\n".join(body).encode())
        m = re.match(r"^\s*-? *(expression|messageExpression): *(.+)$", line)
        if m:
            expr = m.group(2).strip().strip("\x27\"")
            open(out + "%d-cel-%d" % (n, i), "wb").write(b"\3" + expr.encode())
'
mkdir -p fuzz/corpus/exemptions fuzz/corpus/saved_analysis
cat > fuzz/corpus/exemptions/seed-doc.yaml <<'YAML'
exemptions:
- rule: hostPathVolumes
  namespace: kube-system
  kind: DaemonSet
  name: aws-node
  reason: The VPC CNI needs the host's network configuration.
  expires: 2027-06-30
- rule: "*"
  namespace: sandbox
  reason: Throwaway experiments.
YAML
if [ -x target/debug/portolan ] && [ ! -e fuzz/corpus/saved_analysis/seed-demo.json ]; then
  target/debug/portolan analyze public/demo -q -f json > fuzz/corpus/saved_analysis/seed-demo.json || true
fi

limit=(-max_total_time="$seconds")
if [ -n "${FUZZ_RUNS:-}" ]; then
  limit=(-runs="$FUZZ_RUNS")
fi
if [ -n "${FUZZ_FORK:-}" ]; then
  limit+=(-fork="$FUZZ_FORK")
fi
for t in "${targets[@]}"; do
  echo "== $t"
  # -timeout: an input taking over 10 s is a hang; -rss_limit_mb: over 2 GB is an OOM.
  nice -n "${FUZZ_NICE:-10}" cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer none --debug-assertions "$t" "fuzz/corpus/$t" -- \
    "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-262144}" -print_final_stats=1
done
