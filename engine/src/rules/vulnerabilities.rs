//! Vulnerability findings of running images, as a recommendation (Defender's "Running
//! container images should have vulnerability findings resolved"): one finding per
//! container whose image's scan lists critical, high or medium vulnerabilities, with the
//! package upgrades that resolve them. The per-image and per-CVE detail is in
//! [`crate::vulns`]; the rule only counts where scans were given (see [`super::score`]).

use super::workload::{containers, describe, unit_finding};
use super::{Category, Context, Finding, Rule, RuleInfo, Severity, POD_KINDS};
use crate::model::vuln::ScanIndex;
use crate::vulns::SeverityCounts;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[&IMAGE_VULNERABILITIES];

/// Package upgrades named in a finding's message.
const UPGRADES_NAMED: usize = 3;

pub static IMAGE_VULNERABILITIES: Rule = Rule {
    info: RuleInfo {
        id: "imageVulnerabilities",
        title: "Running container images should have vulnerability findings resolved",
        severity: Severity::High,
        category: Category::Workload,
        kinds: POD_KINDS,
        checks: "The scan of every running container's image (a Trivy or Grype JSON report given with the snapshot, matched by digest, then by normalised `registry/repository:tag`) lists no critical, high or medium vulnerability. Containers whose image was not scanned are listed as not scanned in the analysis' `vulnerabilities`, not here.",
        why: "A vulnerable package in a running image is code an attacker can use: a remotely exploitable one in an internet-exposed container is an entry into the cluster, and a local one turns a foothold into more. Most have a fixed version, so the fix is a rebuild.",
        example: "spec:\n  containers:\n  - name: web\n    image: nginx:1.25.3   # its scan lists CVE-2024-7347 (high) in nginx 1.25.3, fixed in 1.27.1",
        remediation: "Rebuild the image on the fixed versions the finding names (update the base image, then the packages), push it, and roll the workload out on the new tag or digest. Exempt a vulnerability that does not apply (not reachable, mitigated) with a reason.",
        frameworks: &["nsa-cisa", "mitre/T1190", "mitre/T1203"],
    },
    check: check_scans,
};

fn check_scans(cx: &Context, out: &mut Vec<Finding>) {
    let scans = &cx.inventory.image_scans;
    if scans.is_empty() {
        return;
    }
    let index = ScanIndex::new(scans);
    for unit in cx.units {
        for ctr in containers(unit) {
            let Some((si, _)) = index.container(unit, ctr.c) else {
                continue;
            };
            let scan = &scans[si];
            let counted: Vec<_> = scan
                .vulnerabilities
                .iter()
                .filter(|v| v.severity <= Severity::Medium)
                .cloned()
                .collect();
            if counted.is_empty() {
                continue;
            }
            let counts = SeverityCounts::of(&counted);
            let mut parts = Vec::new();
            for (n, word) in [
                (counts.critical, "critical"),
                (counts.high, "high"),
                (counts.medium, "medium"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {word}"));
                }
            }
            let fixable = counted.iter().filter(|v| !v.fixed.is_empty()).count();
            let remote = counted.iter().filter(|v| v.remote).count();
            let upgrades = crate::vulns::upgrades(&counted);
            let mut message = format!(
                "{} image \"{}\" has {} vulnerabilities ({fixable} fixable",
                describe(&ctr),
                ctr.c.image.as_deref().unwrap_or_default().trim(),
                parts.join(", "),
            );
            if remote > 0 {
                message.push_str(&format!(", {remote} remotely exploitable"));
            }
            message.push(')');
            if !upgrades.is_empty() {
                let named: Vec<String> = upgrades
                    .iter()
                    .take(UPGRADES_NAMED)
                    .map(|u| format!("{} {} → {}", u.package, u.installed, u.fixed))
                    .collect();
                let more = upgrades.len().saturating_sub(UPGRADES_NAMED);
                message.push_str(&format!("; upgrade {}", named.join(", ")));
                if more > 0 {
                    message.push_str(&format!(" and {more} more packages"));
                }
            }
            out.push(unit_finding(
                &IMAGE_VULNERABILITIES,
                unit,
                &ctr.c.name,
                format!("{}.image", ctr.path),
                message,
            ));
        }
    }
}
