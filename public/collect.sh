#!/bin/sh
# collect.sh -- export a Kubernetes cluster snapshot for Portolan.
#
# Usage:  sh collect.sh [OUTPUT_DIR]
#         (default: ./portolan-snapshot-<UTC date-time>)
#
# Uses your current kubectl context (set KUBECONFIG or run
# `kubectl config use-context NAME` first). Read-only: it only runs
# `kubectl get`, `kubectl config view --minify` and `kubectl version`.
#
# Secret VALUES never leave the cluster: for Secrets, .data, .stringData and
# the kubectl.kubernetes.io/last-applied-configuration annotation are removed
# in memory (with jq, or python3 if jq is missing) before anything is written.
# Without jq or python3, Secrets are skipped.

set -eu

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

OUT="${1:-./portolan-snapshot-$(date -u +%Y%m%dT%H%M%SZ)}"

KINDS="nodes namespaces pods deployments replicasets statefulsets daemonsets jobs cronjobs
replicationcontrollers serviceaccounts roles clusterroles rolebindings clusterrolebindings
services ingresses endpointslices networkpolicies configmaps secrets"

warn() {
    printf 'warning: %s\n' "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

have() {
    command -v "$1" >/dev/null 2>&1
}

have kubectl || die "kubectl not found in PATH"

if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
    die "$OUT already exists and is not empty; pass another folder"
fi

# The snapshot holds ConfigMaps and RBAC details: keep it private to this user.
umask 077
mkdir -p "$OUT"

WRITTEN=""
SKIPPED=""

written() {
    WRITTEN="$WRITTEN $1"
}

skipped() {
    SKIPPED="$SKIPPED $1"
}

# Reads a Secret List (JSON) on stdin, writes it without any secret value on stdout.
strip_secrets() {
    if have jq; then
        jq --indent 4 'del(.items[]?.data, .items[]?.stringData,
            .items[]?.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"])'
    else
        python3 -c '
import json, sys
doc = json.load(sys.stdin)
for item in doc.get("items") or []:
    item.pop("data", None)
    item.pop("stringData", None)
    ann = (item.get("metadata") or {}).get("annotations")
    if ann:
        ann.pop("kubectl.kubernetes.io/last-applied-configuration", None)
json.dump(doc, sys.stdout, indent=4, sort_keys=True)
sys.stdout.write("\n")
'
    fi
}

# Succeeds only if the file on $1 contains no Secret value.
secrets_clean() {
    if have jq; then
        jq -e '[.items[]? | select(has("data") or has("stringData")
            or ((.metadata.annotations // {}) | has("kubectl.kubernetes.io/last-applied-configuration")))]
            | length == 0' "$1" >/dev/null
    else
        python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
bad = [i for i in doc.get("items") or [] if "data" in i or "stringData" in i
       or "kubectl.kubernetes.io/last-applied-configuration" in ((i.get("metadata") or {}).get("annotations") or {})]
sys.exit(1 if bad else 0)
' "$1"
    fi
}

collect_secrets() {
    file="$OUT/secrets.json"
    if ! have jq && ! have python3; then
        warn "skipping secrets: neither jq nor python3 is installed, and secret values must never be written."
        warn "install jq (or python3) and re-run to include Secret metadata."
        skipped secrets
        return 0
    fi
    # Keep the raw List in memory only: it is never written anywhere unstripped.
    if ! raw="$(kubectl get secrets -A -o json)"; then
        warn "could not get secrets (see kubectl's message above); continuing"
        skipped secrets
        return 0
    fi
    if printf '%s\n' "$raw" | strip_secrets >"$file" && secrets_clean "$file"; then
        raw=""
        written secrets.json
    else
        raw=""
        rm -f "$file"
        warn "could not strip secret values; secrets.json NOT written"
        skipped secrets
    fi
}

collect() {
    kind="$1"
    file="$OUT/$kind.json"
    if kubectl get "$kind" -A -o json >"$file"; then
        written "$kind.json"
    else
        rm -f "$file"
        warn "could not get $kind (forbidden or not served by this cluster?); continuing"
        skipped "$kind"
    fi
}

printf 'Collecting from context "%s" into %s\n' \
    "$(kubectl config current-context 2>/dev/null || echo '?')" "$OUT" >&2

if kubectl config view --minify -o json >"$OUT/cluster.json"; then
    written cluster.json
else
    rm -f "$OUT/cluster.json"
    warn "could not read the kubeconfig (kubectl config view --minify); continuing"
    skipped cluster
fi

# Exits non-zero when the server is unreachable, but still prints the client version.
if kubectl version -o json >"$OUT/version.json"; then
    written version.json
elif [ -s "$OUT/version.json" ]; then
    warn "server version unavailable; version.json has the client version only"
    written version.json
else
    rm -f "$OUT/version.json"
    warn "kubectl version failed; continuing"
    skipped version
fi

for kind in $KINDS; do
    printf '  %s\n' "$kind" >&2
    if [ "$kind" = secrets ]; then
        collect_secrets
    else
        collect "$kind"
    fi
done

printf '\nWrote to %s:\n' "$OUT"
for f in $WRITTEN; do
    printf '  %-28s %10s bytes\n' "$f" "$(wc -c <"$OUT/$f" | tr -d ' ')"
done
if [ -n "$SKIPPED" ]; then
    printf 'Skipped:%s\n' "$SKIPPED"
fi
case "$WRITTEN" in
*secrets.json*) printf '\nSecret values were removed before writing secrets.json.\n' ;;
esac
printf 'ConfigMaps and env vars are exported as-is: review the folder before sharing it.\n'
printf 'Next step: open Portolan and drop the folder onto the page.\n'
