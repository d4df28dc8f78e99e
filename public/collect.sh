#!/bin/sh
# collect.sh -- export a Kubernetes cluster snapshot for Portolan.
#
# Usage:  sh collect.sh [OUTPUT_DIR]
#         sh collect.sh --context NAME [--context NAME]... [OUTPUT_DIR]
#         sh collect.sh --all-contexts [OUTPUT_DIR]
#         (default: ./portolan-snapshot-<UTC date-time>)
#
# Uses your current kubectl context (set KUBECONFIG or run
# `kubectl config use-context NAME` first). With --context (repeatable) or
# --all-contexts, it collects each context into a folder of its own,
# OUTPUT_DIR/<context>: Portolan keeps the clusters apart and joins them only
# through the cloud identities they share. Read-only: it only runs
# `kubectl get`, `kubectl config view --minify` and `kubectl version`
# (and, on EKS or AKS, the cloud CLI's read-only describe; see below).
#
# It also writes snapshot.json: the UTC time it ran (shown by the report).
#
# Secret VALUES never leave the cluster: for Secrets, .data, .stringData and
# the kubectl.kubernetes.io/last-applied-configuration annotation are removed
# in memory (with jq, or python3 if jq is missing) before anything is written.
# Without jq or python3, Secrets are skipped.
#
# On a managed cluster it also saves the cloud's view of the control plane,
# when that cloud's CLI is installed and logged in (failures only warn):
#   EKS (API server *.eks.amazonaws.com): aws eks describe-cluster -> eks-cluster.json
#       name and region from the kubeconfig cluster (its ARN, or NAME.REGION.eksctl.io)
#       and the server URL; override with PORTOLAN_EKS_CLUSTER, PORTOLAN_EKS_REGION.
#       When logged in (aws sts get-caller-identity), also, read-only, into aws/:
#       aws iam get-account-authorization-details, the S3 bucket policies, the
#       service control policies of aws organizations (when readable), and for the cluster aws eks
#       describe-nodegroup, describe-pod-identity-association, describe-access-entry
#       and list-associated-access-policies (each listed first).
#   AKS (API server *.azmk8s.io): az aks show -> aks-cluster.json
#       name from the kubeconfig cluster, resource group looked up with az aks list;
#       override with PORTOLAN_AKS_CLUSTER, PORTOLAN_AKS_RESOURCE_GROUP.
#       When logged in (az account show), also, read-only, into azure/: az role
#       assignment list --all, role definition list, identity list, each identity's
#       federated-credential list, keyvault list and storage account list.
#   GKE (kubeconfig cluster gke_PROJECT_LOCATION_NAME, or PORTOLAN_GCP_PROJECT): when
#       gcloud is logged in, read-only, into gcp/: gcloud projects get-iam-policy
#       (PROJECT.iam-policy.json), iam service-accounts list (service-accounts.json)
#       and each account's get-iam-policy (EMAIL.iam-policy.json).
# Set PORTOLAN_NO_CLOUD=1 to skip this.

set -eu

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,43p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

# Several contexts: the script runs once per context, each into its own folder.
CONTEXTS=""
ALL_CONTEXTS=""
while [ $# -gt 0 ]; do
    case "$1" in
    --context)
        if [ $# -lt 2 ]; then
            printf 'error: --context needs a context name\n' >&2
            exit 1
        fi
        CONTEXTS="$CONTEXTS
$2"
        shift 2
        ;;
    --context=*)
        CONTEXTS="$CONTEXTS
${1#--context=}"
        shift
        ;;
    --all-contexts)
        ALL_CONTEXTS=1
        shift
        ;;
    *) break ;;
    esac
done

OUT="${1:-./portolan-snapshot-$(date -u +%Y%m%dT%H%M%SZ)}"

if [ -n "$CONTEXTS" ] || [ -n "$ALL_CONTEXTS" ]; then
    if [ -n "$ALL_CONTEXTS" ]; then
        CONTEXTS="$(kubectl config get-contexts -o name)" || {
            printf 'error: kubectl config get-contexts failed\n' >&2
            exit 1
        }
    fi
    if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
        printf 'error: %s already exists and is not empty; pass another folder\n' "$OUT" >&2
        exit 1
    fi
    status=0
    newline='
'
    old_ifs="$IFS"
    IFS="$newline"
    for context in $CONTEXTS; do
        IFS="$old_ifs"
        [ -n "$context" ] || continue
        # A folder name from the context name (EKS contexts are ARNs: `:` and `/`).
        folder="$OUT/$(printf '%s' "$context" | tr -c 'A-Za-z0-9._-' '_')"
        if ! PORTOLAN_CONTEXT="$context" sh "$0" "$folder"; then
            printf 'warning: context "%s" was not collected completely\n' "$context" >&2
            status=1
        fi
    done
    IFS="$old_ifs"
    exit "$status"
fi

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

# One context of several (--context): every kubectl call names it.
if [ -n "${PORTOLAN_CONTEXT:-}" ]; then
    kubectl() {
        command kubectl --context "$PORTOLAN_CONTEXT" "$@"
    }
fi

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

# When the snapshot was taken, for the report: portolan reads this file by its content.
if printf '{\n    "apiVersion": "portolan/v1",\n    "kind": "SnapshotInfo",\n    "collectedAt": "%s",\n    "collector": "collect.sh"\n}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$OUT/snapshot.json"; then
    written snapshot.json
fi

printf 'Collecting from context "%s" into %s\n' \
    "${PORTOLAN_CONTEXT:-$(kubectl config current-context 2>/dev/null || echo '?')}" "$OUT" >&2

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

# The managed cluster's own description, from its cloud's CLI. Every step may fail
# (CLI missing, not logged in, no permission): that costs a warning, nothing more.
collect_cloud() {
    [ -n "${PORTOLAN_NO_CLOUD:-}" ] && return 0
    server="$(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}' 2>/dev/null || true)"
    name="$(kubectl config view --minify -o 'jsonpath={.clusters[0].name}' 2>/dev/null || true)"
    case "$server" in
    *.eks.amazonaws.com*) collect_eks "$server" "$name" ;;
    *.azmk8s.io*) collect_aks "$name" ;;
    esac
    case "$name" in
    gke_*) collect_gcp "$(printf '%s\n' "$name" | cut -d_ -f2)" ;;
    *) [ -n "${PORTOLAN_GCP_PROJECT:-}" ] && collect_gcp "$PORTOLAN_GCP_PROJECT" ;;
    esac
    return 0
}

# Saves `gcloud ARGS --format json` as gcp/FILE; a failure warns and writes nothing.
gcloud_save() {
    file="$1"
    shift
    printf '  gcloud %s\n' "$*" >&2
    if gcloud "$@" --format json >"$OUT/gcp/$file"; then
        written "gcp/$file"
    else
        rm -f "$OUT/gcp/$file"
        warn "gcloud $1 $2 failed (permission?); continuing"
        skipped "gcp/$file"
    fi
}

# The Google Cloud project around a GKE cluster, read-only: its IAM policy, its
# service accounts and each one's IAM policy (who may act as it: Workload Identity).
collect_gcp() {
    project="${PORTOLAN_GCP_PROJECT:-$1}"
    if ! have gcloud; then
        warn "GKE cluster, but the gcloud CLI is not installed: GCP IAM not collected"
        skipped gcp
        return 0
    fi
    if [ -z "$(gcloud auth list --filter=status:ACTIVE --format='value(account)' 2>/dev/null || true)" ]; then
        warn "gcloud is not logged in: GCP IAM not collected"
        skipped gcp
        return 0
    fi
    mkdir -p "$OUT/gcp"
    gcloud_save "$project.iam-policy.json" projects get-iam-policy "$project"
    gcloud_save service-accounts.json iam service-accounts list --project "$project"
    for email in $(gcloud iam service-accounts list --project "$project" --format 'value(email)' 2>/dev/null || true); do
        gcloud_save "$email.iam-policy.json" iam service-accounts get-iam-policy "$email" --project "$project"
    done
}

collect_eks() {
    server="$1"
    name="$2"
    if ! have aws; then
        warn "EKS cluster, but the aws CLI is not installed: eks-cluster.json not written"
        skipped eks-cluster
        return 0
    fi
    # https://<id>.<zone>.<region>.eks.amazonaws.com -> <region>
    region="$(printf '%s\n' "$server" | sed -n 's|^.*\.\([a-z0-9-]*\)\.eks\.amazonaws\.com.*$|\1|p')"
    case "$name" in
    arn:aws*:eks:*:cluster/*)
        # arn:aws:eks:<region>:<account>:cluster/<name> (aws eks update-kubeconfig)
        region="$(printf '%s\n' "$name" | cut -d: -f4)"
        name="${name##*:cluster/}"
        ;;
    *.eksctl.io)
        # <name>.<region>.eksctl.io (eksctl)
        name="${name%.eksctl.io}"
        region="${name##*.}"
        name="${name%.*}"
        ;;
    esac
    name="${PORTOLAN_EKS_CLUSTER:-$name}"
    region="${PORTOLAN_EKS_REGION:-${region:-${AWS_REGION:-}}}"
    if [ -z "$name" ] || [ -z "$region" ]; then
        warn "EKS cluster name or region unknown; set PORTOLAN_EKS_CLUSTER and PORTOLAN_EKS_REGION"
        skipped eks-cluster
        return 0
    fi
    printf '  aws eks describe-cluster --name %s --region %s\n' "$name" "$region" >&2
    if aws eks describe-cluster --name "$name" --region "$region" --output json >"$OUT/eks-cluster.json"; then
        written eks-cluster.json
    else
        rm -f "$OUT/eks-cluster.json"
        warn "aws eks describe-cluster failed (logged in? eks:DescribeCluster allowed?); continuing"
        skipped eks-cluster
    fi
    collect_aws_identity "$name" "$region"
}

# Saves `aws ARGS --output json` as aws/FILE; a failure warns and writes nothing.
# AWS_SAVED says which it was (the function itself succeeds: `set -e`).
aws_save() {
    file="$1"
    shift
    printf '  aws %s\n' "$*" >&2
    if aws "$@" --output json >"$OUT/aws/$file"; then
        written "aws/$file"
        AWS_SAVED=1
    else
        rm -f "$OUT/aws/$file"
        warn "aws $1 $2 failed (permission?); continuing"
        skipped "aws/$file"
        AWS_SAVED=0
    fi
}

# Saves `aws ARGS --output json` as aws/FILE when it succeeds; a failure means "none"
# here (a bucket without a policy or without Block Public Access settings), so it is
# left out quietly.
aws_save_if_any() {
    file="$1"
    shift
    if aws "$@" --output json >"$OUT/aws/$file" 2>/dev/null && [ -s "$OUT/aws/$file" ]; then
        written "aws/$file"
    else
        rm -f "$OUT/aws/$file"
    fi
}

# The account's S3 access settings, read-only: each bucket's policy and Block Public
# Access settings, and the account's (file names say whose they are).
collect_s3() {
    account="$(aws sts get-caller-identity --query Account --output text 2>/dev/null || true)"
    mkdir -p "$OUT/aws/s3"
    printf '  aws s3api list-buckets (bucket policies, public access blocks)\n' >&2
    if [ -n "$account" ]; then
        aws_save_if_any "s3/$account.public-access-block.json" s3control get-public-access-block --account-id "$account"
    fi
    for bucket in $(aws s3api list-buckets --query 'Buckets[].Name' --output text 2>/dev/null || true); do
        aws_save_if_any "s3/$bucket.bucket-policy.json" s3api get-bucket-policy --bucket "$bucket"
        aws_save_if_any "s3/$bucket.public-access-block.json" s3api get-public-access-block --bucket "$bucket"
    done
}

# The service control policies of AWS Organizations over the account, read-only: the
# organization (its management account), its roots and accounts, the account's parents
# up to the root (CHILD.parents.json), the SCPs attached at each of those levels
# (TARGET.policies.json) and each SCP's content (POLICY.json). Readable from the
# management account or a delegated administrator; elsewhere the first call warns and
# the rest is skipped.
collect_org() {
    account="$(aws sts get-caller-identity --query Account --output text 2>/dev/null || true)"
    mkdir -p "$OUT/aws/org"
    aws_save org/organization.json organizations describe-organization
    if [ "$AWS_SAVED" = 0 ]; then
        rmdir "$OUT/aws/org" 2>/dev/null || true
        return 0
    fi
    aws_save org/roots.json organizations list-roots
    aws_save org/accounts.json organizations list-accounts
    targets=""
    child="$account"
    depth=0
    while [ -n "$child" ] && [ "$depth" -lt 8 ]; do
        targets="$targets $child"
        case "$child" in r-*) break ;; esac
        aws_save "org/$child.parents.json" organizations list-parents --child-id "$child"
        [ "$AWS_SAVED" = 1 ] || break
        child="$(aws organizations list-parents --child-id "$child" --query 'Parents[0].Id' --output text 2>/dev/null || true)"
        case "$child" in None | null) child="" ;; esac
        depth=$((depth + 1))
    done
    policies=""
    for target in $targets; do
        aws_save "org/$target.policies.json" organizations list-policies-for-target --target-id "$target" --filter SERVICE_CONTROL_POLICY
        [ "$AWS_SAVED" = 1 ] || continue
        policies="$policies $(aws organizations list-policies-for-target --target-id "$target" --filter SERVICE_CONTROL_POLICY --query 'Policies[].Id' --output text 2>/dev/null || true)"
    done
    # shellcheck disable=SC2086 # $policies is a list of ids
    for id in $(printf '%s\n' $policies | sort -u); do
        aws_save "org/$id.json" organizations describe-policy --policy-id "$id"
    done
}

# The AWS account around the cluster, read-only: IAM (users, groups, roles, policies),
# S3 bucket policies, and the cluster's node groups, pod identity associations and
# access entries.
collect_aws_identity() {
    name="$1"
    region="$2"
    if ! aws sts get-caller-identity --output json >/dev/null 2>&1; then
        warn "the aws CLI is not logged in: AWS IAM and EKS identities not collected"
        skipped aws
        return 0
    fi
    mkdir -p "$OUT/aws"
    aws_save iam-authorization-details.json iam get-account-authorization-details
    collect_s3
    collect_org
    eks="--cluster-name $name --region $region"
    # shellcheck disable=SC2086 # $eks is two options
    for ng in $(aws eks list-nodegroups $eks --query 'nodegroups[]' --output text 2>/dev/null || true); do
        aws_save "nodegroup-$ng.json" eks describe-nodegroup $eks --nodegroup-name "$ng"
    done
    # shellcheck disable=SC2086
    for id in $(aws eks list-pod-identity-associations $eks --query 'associations[].associationId' --output text 2>/dev/null || true); do
        aws_save "pod-identity-$id.json" eks describe-pod-identity-association $eks --association-id "$id"
    done
    i=0
    # shellcheck disable=SC2086
    for arn in $(aws eks list-access-entries $eks --query 'accessEntries[]' --output text 2>/dev/null || true); do
        i=$((i + 1))
        aws_save "access-entry-$i.json" eks describe-access-entry $eks --principal-arn "$arn"
        aws_save "access-policies-$i.json" eks list-associated-access-policies $eks --principal-arn "$arn"
    done
}

collect_aks() {
    name="${PORTOLAN_AKS_CLUSTER:-$1}"
    if ! have az; then
        warn "AKS cluster, but the az CLI is not installed: aks-cluster.json not written"
        skipped aks-cluster
        return 0
    fi
    group="${PORTOLAN_AKS_RESOURCE_GROUP:-}"
    if [ -z "$group" ] && [ -n "$name" ]; then
        group="$(az aks list --query "[?name=='$name'].resourceGroup | [0]" --output tsv 2>/dev/null || true)"
    fi
    if [ -z "$name" ] || [ -z "$group" ]; then
        warn "AKS cluster name or resource group unknown; set PORTOLAN_AKS_CLUSTER and PORTOLAN_AKS_RESOURCE_GROUP"
        skipped aks-cluster
        return 0
    fi
    printf '  az aks show --name %s --resource-group %s\n' "$name" "$group" >&2
    if az aks show --name "$name" --resource-group "$group" --output json >"$OUT/aks-cluster.json"; then
        written aks-cluster.json
    else
        rm -f "$OUT/aks-cluster.json"
        warn "az aks show failed (logged in? right subscription?); continuing"
        skipped aks-cluster
    fi
    collect_azure
}

# Saves `az ARGS --output json` as azure/FILE; a failure (or no output) warns and
# writes nothing.
az_save() {
    file="$1"
    shift
    printf '  az %s\n' "$*" >&2
    if az "$@" --output json >"$OUT/azure/$file" && [ -s "$OUT/azure/$file" ]; then
        written "azure/$file"
    else
        rm -f "$OUT/azure/$file"
        warn "az $1 $2 failed (permission?); continuing"
        skipped "azure/$file"
    fi
}

# The Azure subscription around the cluster, read-only: role assignments and
# definitions (Azure RBAC), user-assigned identities and their federated credentials
# (Workload Identity), key vaults and storage accounts (the data stores).
collect_azure() {
    if ! az account show --output json >/dev/null 2>&1; then
        warn "the az CLI is not logged in: Azure RBAC and identities not collected"
        skipped azure
        return 0
    fi
    mkdir -p "$OUT/azure"
    az_save role-assignments.json role assignment list --all
    az_save role-definitions.json role definition list
    az_save identities.json identity list
    # RESOURCE-GROUP/NAME per identity (Azure names hold no spaces or slashes).
    for pair in $(az identity list --query "[].join('/', [resourceGroup, name])" --output tsv 2>/dev/null || true); do
        az_save "federated-credentials-${pair#*/}.json" identity federated-credential list \
            --identity-name "${pair#*/}" --resource-group "${pair%%/*}"
    done
    az_save keyvaults.json keyvault list
    az_save storage-accounts.json storage account list
}

collect_cloud

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
