//! Container images: mutable tags, digests, pull policy and trusted registries.

use super::{containers, describe, unit_finding, POD_KINDS};
use crate::model::image::{well_formed_digest, ImageRef};
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

/// Tags that are moved on purpose to follow a branch or a channel.
const FLOATING_TAGS: &[&str] = &[
    "latest", "stable", "main", "master", "edge", "dev", "develop", "nightly", "canary", "beta",
    "alpha", "lts", "current", "mainline", "rolling", "release", "head", "trunk",
];

/// The tag as written, `None` when the reference has none (digest or not).
fn written_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or_default();
    let last = name.rsplit('/').next().unwrap_or_default();
    last.split_once(':').map(|(_, t)| t)
}

/// Whether the reference is pinned: it carries a well-formed digest (a malformed `@...`
/// pins nothing).
fn has_digest(image: &str) -> bool {
    image
        .split_once('@')
        .is_some_and(|(_, d)| well_formed_digest(d.trim()))
}

/// The text after `@` when it is not a well-formed digest.
fn malformed_digest(image: &str) -> Option<&str> {
    image
        .split_once('@')
        .map(|(_, d)| d)
        .filter(|d| !well_formed_digest(d.trim()))
}

/// Whether the reference names a tag that is expected to move.
fn mutable_tag(image: &str) -> bool {
    !has_digest(image)
        && written_tag(image)
            .is_none_or(|t| FLOATING_TAGS.iter().any(|f| t.eq_ignore_ascii_case(f)))
}

/// The image of every container that names one, with the container.
fn images<'a>(
    unit: &crate::model::WorkloadUnit<'a>,
) -> impl Iterator<Item = (super::Ctr<'a>, &'a str)> {
    containers(unit).into_iter().filter_map(|ctr| {
        let image = ctr
            .c
            .image
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())?;
        Some((ctr, image))
    })
}

pub static IMAGE_LATEST_TAG: Rule = Rule {
    info: RuleInfo {
        id: "imageLatestTag",
        title: "Container images should use a fixed tag, not latest or none",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every container image has a tag other than `latest` (case-insensitive) or a digest. An image without tag or digest means `latest`.",
        why: "`latest` points at whatever was pushed last: two replicas can run different code, a rollback does not roll back, nobody can tell which version (and which vulnerabilities) is running, and whoever can push to the repository changes production at the next pod restart.",
        example: "spec:\n  containers:\n  - name: cart\n    image: ghcr.io/acme/cart-service:latest",
        remediation: "Deploy a version tag produced by the release pipeline (`:2.14.0`, `:git-3f9c2d1`), ideally with its digest (`:2.14.0@sha256:...`).",
        frameworks: &["nsa-cisa", "mitre/T1525"],
    },
    check: check_latest,
};

fn check_latest(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for (ctr, image) in images(unit) {
            if has_digest(image) {
                continue;
            }
            let what = match written_tag(image) {
                None => "has no tag (it resolves to latest)",
                Some(t) if t.eq_ignore_ascii_case("latest") => "uses the mutable tag latest",
                Some(_) => continue,
            };
            out.push(unit_finding(
                &IMAGE_LATEST_TAG,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                format!("{} image \"{image}\" {what}", describe(&ctr)),
            ));
        }
    }
}

pub static IMAGE_DIGEST: Rule = Rule {
    info: RuleInfo {
        id: "imageDigest",
        title: "Container images should be pinned by digest",
        severity: Severity::Informational,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every container image reference carries a well-formed digest: `@sha256:` and 64 lowercase hex digits, or `@sha512:` and 128 (the algorithms the OCI image specification registers). A malformed `@...` (too short, upper case, unknown algorithm) pins nothing and is reported too.",
        why: "Any tag can be moved by whoever can push to the repository, including a compromised CI job or registry account; a digest names exactly one image. Pinning makes deployments reproducible and makes signature verification and vulnerability results stick to what actually runs.",
        example: "spec:\n  containers:\n  - name: web\n    image: nginx:1.25.3",
        remediation: "Reference images as `name:tag@sha256:<digest>` (Renovate, Dependabot, `crane digest` or Kustomize `images:` keep digests current), and enforce it with an admission policy.",
        frameworks: &["nsa-cisa", "mitre/T1525", "mitre/T1195.002"],
    },
    check: check_digest,
};

fn check_digest(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for (ctr, image) in images(unit) {
            if has_digest(image) {
                continue;
            }
            let what = match malformed_digest(image) {
                Some(d) => format!("has a malformed digest \"{d}\" and is not pinned"),
                None => "is not pinned by digest".to_string(),
            };
            out.push(unit_finding(
                &IMAGE_DIGEST,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                format!("{} image \"{image}\" {what}", describe(&ctr)),
            ));
        }
    }
}

pub static IMAGE_PULL_POLICY: Rule = Rule {
    info: RuleInfo {
        id: "imagePullPolicy",
        title: "Images with mutable tags should be pulled with imagePullPolicy Always",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "A container whose image has no digest and a floating tag (none, `latest`, `stable`, `main`, `master`, `edge`, `dev`, `develop`, `nightly`, `canary`, `beta`, `alpha`, `lts`, `current`, `mainline`, `rolling`, `release`, `head`, `trunk`) has an effective `imagePullPolicy` of `Always`. When unset, Kubernetes uses `Always` for `latest` or no tag and `IfNotPresent` otherwise.",
        why: "With `IfNotPresent` or `Never` and a moving tag, each node runs whichever version it happened to cache: replicas diverge, fixes do not reach nodes that already have the old image, and a pod can reuse an image pulled by another tenant without the registry checking its own pull credentials.",
        example: "spec:\n  containers:\n  - name: app\n    image: ghcr.io/acme/app:stable\n    imagePullPolicy: IfNotPresent",
        remediation: "Better: deploy immutable version tags or digests. Otherwise set `imagePullPolicy: Always` (or enable the `AlwaysPullImages` admission plugin).",
        frameworks: &["nsa-cisa", "mitre/T1525"],
    },
    check: check_pull_policy,
};

fn check_pull_policy(cx: &Context, out: &mut Vec<Finding>) {
    for unit in cx.units {
        for (ctr, image) in images(unit) {
            if !mutable_tag(image) {
                continue;
            }
            let tag = written_tag(image).unwrap_or("latest");
            let explicit = ctr.c.image_pull_policy.as_deref().filter(|p| !p.is_empty());
            let effective = explicit.unwrap_or(if tag.eq_ignore_ascii_case("latest") {
                "Always"
            } else {
                "IfNotPresent"
            });
            if effective == "Always" {
                continue;
            }
            out.push(unit_finding(
                &IMAGE_PULL_POLICY,
                unit,
                &ctr.c.name,
                format!("{}.imagePullPolicy", ctr.path),
                format!(
                    "{} pulls mutable image \"{image}\" with imagePullPolicy {effective}{}",
                    describe(&ctr),
                    if explicit.is_none() {
                        " (the default for its tag)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

pub static TRUSTED_REGISTRY: Rule = Rule {
    info: RuleInfo {
        id: "trustedRegistry",
        title: "Container images should be deployed from trusted registries only",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "Every container image's normalised `registry/repository` (`nginx` is `docker.io/library/nginx`) is equal to or under an entry of the trusted-registry list (`--trusted-registry`): a registry host (`ghcr.io`), a registry with a path prefix (`ghcr.io/acme`), or a host wildcard (`*.dkr.ecr.us-east-1.amazonaws.com`). With no list configured the rule reports nothing.",
        why: "Images from arbitrary public registries bypass the organisation's scanning, signing and provenance controls; a typo-squatted or hijacked public image runs with the workload's identity, secrets and network access.",
        example: "# trusted registries: 123456789012.dkr.ecr.us-east-1.amazonaws.com, ghcr.io/acme\nspec:\n  containers:\n  - name: debug\n    image: nicolaka/netshoot:latest",
        remediation: "Mirror or rebuild the image into a trusted registry (after scanning it) and reference it from there; enforce the allow-list with an admission policy (Kyverno, Gatekeeper, ValidatingAdmissionPolicy) or the registry allow-list of the cloud provider.",
        frameworks: &["cis-k8s/5.5.1", "nsa-cisa", "mitre/T1195.002", "mitre/T1525"],
    },
    check: check_trusted,
};

/// A trusted-registry entry, normalised: `https://GHCR.io/acme/` → `ghcr.io/acme`.
fn normalize_entry(entry: &str) -> String {
    let e = entry.trim();
    let e = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))
        .unwrap_or(e)
        .trim_end_matches('/');
    let (host, path) = e.split_once('/').unwrap_or((e, ""));
    let host = match host.to_ascii_lowercase().as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        h => h.to_string(),
    };
    if path.is_empty() {
        host
    } else {
        format!("{host}/{path}")
    }
}

/// Whether the image's `registry/repository` is under the entry.
pub(crate) fn trusted_by(image: &ImageRef, entry: &str) -> bool {
    let entry = normalize_entry(entry);
    if entry.is_empty() {
        return false;
    }
    let (host, path) = entry.split_once('/').unwrap_or((&entry, ""));
    let registry = image.registry.to_ascii_lowercase();
    let host_ok = match host.strip_prefix('*') {
        Some(suffix) => registry.ends_with(suffix) && registry.len() > suffix.len(),
        None => registry == host,
    };
    host_ok
        && (path.is_empty()
            || image.repository == path
            || image.repository.starts_with(&format!("{path}/")))
}

fn check_trusted(cx: &Context, out: &mut Vec<Finding>) {
    let trusted = &cx.options.trusted_registries;
    if trusted.iter().all(|t| t.trim().is_empty()) {
        return;
    }
    for unit in cx.units {
        for (ctr, image) in images(unit) {
            let Some(parsed) = ImageRef::parse(image) else {
                continue;
            };
            if trusted.iter().any(|t| trusted_by(&parsed, t)) {
                continue;
            }
            out.push(unit_finding(
                &TRUSTED_REGISTRY,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                format!(
                    "{} image \"{image}\" comes from {}/{}, which is not under a trusted registry",
                    describe(&ctr),
                    parsed.registry,
                    parsed.repository
                ),
            ));
        }
    }
}

pub static BLOCKED_REGISTRY: Rule = Rule {
    info: RuleInfo {
        id: "blockedRegistry",
        title: "Container images should not come from blocked registries",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container image's normalised `registry/repository` is equal to or under an entry of the blocked-registry list (`--blocked-registry`): a registry host (`docker.io`), a registry with a path prefix (`docker.io/library`, `quay.io/someone`), or a host wildcard (`*.example.com`), matched as the trusted-registry list is. With no list configured the rule reports nothing.",
        why: "Some sources are known bad or forbidden by policy: public registries without pull-rate or provenance guarantees, a vendor's retired registry, a registry that was compromised. A block-list catches them where an allow-list is not practical yet.",
        example: "# blocked registries: docker.io\nspec:\n  containers:\n  - name: cache\n    image: redis:7.2",
        remediation: "Mirror the image into an allowed registry (after scanning it) and reference it from there; enforce the block-list with an admission policy.",
        frameworks: &["cis-k8s/5.5.1", "nsa-cisa", "mitre/T1195.002", "mitre/T1525"],
    },
    check: check_blocked,
};

fn check_blocked(cx: &Context, out: &mut Vec<Finding>) {
    let blocked = &cx.options.blocked_registries;
    if blocked.iter().all(|t| t.trim().is_empty()) {
        return;
    }
    for unit in cx.units {
        for (ctr, image) in images(unit) {
            let Some(parsed) = ImageRef::parse(image) else {
                continue;
            };
            let Some(entry) = blocked.iter().find(|b| trusted_by(&parsed, b)) else {
                continue;
            };
            out.push(unit_finding(
                &BLOCKED_REGISTRY,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                format!(
                    "{} image \"{image}\" comes from {}/{}, which is under the blocked registry {}",
                    describe(&ctr),
                    parsed.registry,
                    parsed.repository,
                    entry.trim()
                ),
            ));
        }
    }
}
