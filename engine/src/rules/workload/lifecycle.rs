//! Images recognised by name and version as known exploitable or past their end of
//! life, from the dated table of [`crate::rules::lifecycle`] (no scan needed: the image
//! reference decides).

use super::{containers, describe, unit_finding, POD_KINDS};
use crate::model::image::ImageRef;
use crate::rules::lifecycle::{image_entries, TABLE_DATE};
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

pub static IMAGE_KNOWN_EXPLOITABLE: Rule = Rule {
    info: RuleInfo {
        id: "imageKnownExploitable",
        title: "Components with a known critical, remotely exploitable vulnerability should be upgraded",
        severity: Severity::Critical,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container runs an image whose name and version tag fall in a release range with a known remotely exploitable vulnerability, from Portolan's dated table (2026-12-03): ingress-nginx controller before 1.11.5, and 1.12.0 (CVE-2025-1974, IngressNightmare). Decided from the image reference alone; scanned vulnerabilities are reported by `imageVulnerabilities`.",
        why: "These components are reachable by design (an ingress controller and its admission webhook face the cluster network and often the internet) and hold broad credentials: CVE-2025-1974 gives unauthenticated code execution in the controller, which reads every Secret in the cluster.",
        example: "spec:\n  containers:\n  - name: controller\n    image: registry.k8s.io/ingress-nginx/controller:v1.9.4",
        remediation: "Upgrade to a fixed release (ingress-nginx 1.11.5 or 1.12.1 and later) — and, for ingress-nginx, plan the move to a maintained controller or Gateway API implementation; until then restrict access to the admission webhook with a NetworkPolicy.",
        frameworks: &["nsa-cisa", "mitre/T1190", "mitre/T1210"],
    },
    check: |cx, out| check(cx, out, true),
};

pub static IMAGE_END_OF_LIFE: Rule = Rule {
    info: RuleInfo {
        id: "imageEndOfLife",
        title: "Container images should not run end-of-life components",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "No container runs an image that Portolan's dated table (2026-12-03) knows as past its end of life: ingress-nginx (retired, maintenance ended March 2026), Tiller (Helm 2), Weave Net, anything from the frozen `k8s.gcr.io` registry, CentOS, and official images of Python before 3.10, Node.js before 22, PostgreSQL before 14, MySQL before 8.4, Ubuntu before 22.04, Debian before 12 (also `buster`, `bullseye`, ...) and Alpine before 3.22, read from the version tag.",
        why: "End-of-life software gets no security fixes: every vulnerability found from then on stays open, and scanners may not even report them any more.",
        example: "spec:\n  containers:\n  - name: api\n    image: python:3.8-slim",
        remediation: "Move to a maintained release (or a maintained replacement for retired projects), rebuild the image on a supported base, and keep the base image updated by automation.",
        frameworks: &["nsa-cisa", "mitre/T1190"],
    },
    check: |cx, out| check(cx, out, false),
};

fn check(cx: &Context, out: &mut Vec<Finding>, exploitable: bool) {
    let rule = if exploitable {
        &IMAGE_KNOWN_EXPLOITABLE
    } else {
        &IMAGE_END_OF_LIFE
    };
    for unit in cx.units {
        for ctr in containers(unit) {
            let Some(image) = ctr
                .c
                .image
                .as_deref()
                .map(str::trim)
                .filter(|i| !i.is_empty())
            else {
                continue;
            };
            let Some(parsed) = ImageRef::parse(image) else {
                continue;
            };
            let Some(entry) = image_entries(&parsed)
                .into_iter()
                .find(|e| e.exploitable == exploitable)
            else {
                continue;
            };
            out.push(unit_finding(
                rule,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                format!(
                    "{} runs \"{image}\": {} (table of {TABLE_DATE})",
                    describe(&ctr),
                    entry.note
                ),
            ));
        }
    }
}
